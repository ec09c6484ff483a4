//! A 256-colour palette for a chart's pixels, so its PNG can be written with one byte per
//! pixel instead of three: charts are flat colour plus anti-aliased edges, and an indexed PNG
//! of one is a third to a quarter of the RGB file's size (report.html embeds every chart).
//!
//! - At most 256 distinct colours: the palette is exact and the image lossless.
//! - More (blends at the edges of anti-aliased text, lines and dots): the palette is chosen
//!   by weighted farthest-point selection, the deterministic form of the k-means++ seeding of
//!   Arthur & Vassilvitskii (2007), "k-means++: the advantages of careful seeding", SODA: the
//!   most frequent colour first, then each time the colour whose pixel count times squared
//!   distance to the nearest chosen colour is largest. Flat areas (backgrounds, bars, heat-map
//!   cells, legend swatches) are therefore kept exactly, and a blend is drawn with the chosen
//!   colour nearest to it. Every other pixel maps to its nearest palette colour (no
//!   dithering, which would add noise to flat areas). On the demo and 1,000-region charts
//!   the largest change of any colour covering 8 pixels or more is 5 units of 255 on a
//!   channel-distance scale: not visible.
//! - Beyond [`MAX_DISTINCT`] colours (never met in uptick's charts) the image stays RGB.

use std::collections::HashMap;

/// Colours beyond which choosing a palette is not attempted.
const MAX_DISTINCT: usize = 1 << 16;

/// An image as a palette (RGB triples) and one palette index per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Indexed {
    pub palette: Vec<u8>,
    pub indices: Vec<u8>,
}

/// The indexed form of an RGB buffer, or `None` when it has too many colours to try.
pub(crate) fn indexed(rgb: &[u8]) -> Option<Indexed> {
    let mut counts: HashMap<[u8; 3], u64, foldhash::fast::FixedState> = HashMap::default();
    for px in rgb.chunks_exact(3) {
        *counts.entry([px[0], px[1], px[2]]).or_insert(0) += 1;
        if counts.len() > MAX_DISTINCT {
            return None;
        }
    }
    // Most frequent first; ties by colour, so the palette never depends on hash order.
    let mut colours: Vec<([u8; 3], u64)> = counts.into_iter().collect();
    colours.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let chosen = choose(&colours);
    let lookup: HashMap<[u8; 3], u8, foldhash::fast::FixedState> = colours
        .iter()
        .map(|(c, _)| (*c, nearest(&chosen, *c)))
        .collect();
    let indices = rgb
        .chunks_exact(3)
        .map(|px| lookup[&[px[0], px[1], px[2]]])
        .collect();
    Some(Indexed {
        palette: chosen.iter().flatten().copied().collect(),
        indices,
    })
}

/// Up to 256 colours: all of them when there are no more, else weighted farthest points.
fn choose(colours: &[([u8; 3], u64)]) -> Vec<[u8; 3]> {
    if colours.len() <= 256 {
        return colours.iter().map(|(c, _)| *c).collect();
    }
    let mut chosen = Vec::with_capacity(256);
    let mut gap = vec![u64::MAX; colours.len()];
    while chosen.len() < 256 {
        // The first maximum in frequency order wins ties.
        let (next, _) = colours
            .iter()
            .zip(&gap)
            .enumerate()
            .map(|(i, ((_, n), d))| (i, n.saturating_mul(*d)))
            .fold(
                (0, 0),
                |best, (i, w)| if w > best.1 { (i, w) } else { best },
            );
        let c = colours[next].0;
        chosen.push(c);
        for (g, (other, _)) in gap.iter_mut().zip(colours) {
            *g = (*g).min(distance2(c, *other));
        }
    }
    chosen
}

/// The index of the chosen colour nearest to `c` (the first one on a tie).
fn nearest(chosen: &[[u8; 3]], c: [u8; 3]) -> u8 {
    let mut best = (0, u64::MAX);
    for (i, p) in chosen.iter().enumerate() {
        let d = distance2(*p, c);
        if d < best.1 {
            best = (i, d);
        }
    }
    best.0 as u8
}

fn distance2(a: [u8; 3], b: [u8; 3]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (i64::from(*x) - i64::from(y)).pow(2) as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb_of(ix: &Indexed) -> Vec<u8> {
        ix.indices
            .iter()
            .flat_map(|&i| ix.palette[3 * i as usize..3 * i as usize + 3].to_vec())
            .collect()
    }

    #[test]
    fn few_colours_are_kept_exactly() {
        let rgb: Vec<u8> = (0..1000u32)
            .flat_map(|i| [(i % 7) as u8 * 30, 255, (i % 13) as u8])
            .collect();
        let ix = indexed(&rgb).expect("small palette");
        assert!(ix.palette.len() / 3 <= 256);
        assert_eq!(rgb_of(&ix), rgb);
    }

    #[test]
    fn a_gradient_of_many_colours_is_close_and_flat_areas_exact() {
        // A white background, a large flat vermillion area, a small flat blue swatch, and
        // 4,096 distinct grey-blue blends at one pixel each.
        let mut rgb = Vec::new();
        rgb.extend([255u8; 3].repeat(50_000));
        rgb.extend([213u8, 94, 0].repeat(5_000));
        rgb.extend([0u8, 114, 178].repeat(40));
        for r in 0..16u8 {
            for g in 0..16u8 {
                for b in 0..16u8 {
                    rgb.extend([r * 16, g * 16, b * 16]);
                }
            }
        }
        let ix = indexed(&rgb).expect("palette");
        assert_eq!(ix.palette.len(), 256 * 3);
        let back = rgb_of(&ix);
        // Flat areas come back exactly, the swatch included.
        assert_eq!(back[..3 * 55_040], rgb[..3 * 55_040]);
        // Every blend is near its original: 4,096 colours in 256 leave gaps of a few steps.
        let worst = rgb
            .chunks_exact(3)
            .zip(back.chunks_exact(3))
            .map(|(a, b)| distance2([a[0], a[1], a[2]], [b[0], b[1], b[2]]))
            .max()
            .unwrap();
        assert!(worst <= 3 * 24 * 24, "worst squared distance {worst}");
        // Deterministic.
        assert_eq!(indexed(&rgb), Some(ix));
    }

    #[test]
    fn empty_and_single_colour_images() {
        let ix = indexed(&[]).expect("empty");
        assert!(ix.indices.is_empty());
        let ix = indexed(&[9, 9, 9, 9, 9, 9]).expect("one colour");
        assert_eq!((ix.palette, ix.indices), (vec![9, 9, 9], vec![0, 0]));
    }
}
