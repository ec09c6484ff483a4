//! A small Poisson log-link GLM fitted by iteratively reweighted least squares (IRLS), as R's
//! `glm.fit` does it: start at μ = y + 0.1, working response z = η + (y − μ)/μ, working
//! weights ω·μ (ω the prior weights), stop when the relative change of the deviance is below
//! 1e-8 within 25 iterations (`glm.control(epsilon = 1e-8, maxit = 25)`).
//!
//! Quasi-Poisson only changes the dispersion, which callers estimate from the fit. Designs are
//! tiny (at most a dozen columns, a few hundred rows), so the normal equations are solved by
//! Cholesky decomposition.
//!
//! Source: R 4.2.2 `stats::glm.fit`; McCullagh & Nelder (1989), *Generalized Linear Models*,
//! 2nd ed., §2.5.

/// Relative deviance change at which IRLS stops (R's default `epsilon`).
const EPSILON: f64 = 1e-8;
/// Iteration cap, as R's `glm.control(maxit = 25)`: a fit that has not converged by then counts
/// as not converged, as in surveillance (refit without trend, else no result for the week).
const MAX_ITER: usize = 25;

/// A fitted model.
#[derive(Debug, Clone)]
pub struct GlmFit {
    /// Coefficients, one per design column.
    pub beta: Vec<f64>,
    /// Fitted means of the rows.
    pub mu: Vec<f64>,
    /// (XᵀWX)⁻¹ of the last iteration, W = prior weights × μ (row-major, k × k).
    pub xtwx_inv: Vec<f64>,
    /// Leverages h_ii of the rows.
    pub hat: Vec<f64>,
    /// R's `weights(fit, "working")`: prior weight × μ at the start of the last iteration.
    pub working_weights: Vec<f64>,
    /// Number of columns.
    pub k: usize,
}

impl GlmFit {
    /// Linear predictor x₀ᵀβ and the quadratic form x₀ᵀ(XᵀWX)⁻¹x₀ for a new row.
    pub fn predict(&self, x0: &[f64]) -> (f64, f64) {
        let eta = x0.iter().zip(&self.beta).map(|(a, b)| a * b).sum();
        (eta, quad_form(&self.xtwx_inv, x0, self.k))
    }
}

fn quad_form(m: &[f64], v: &[f64], k: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..k {
        for j in 0..k {
            s += v[i] * m[i * k + j] * v[j];
        }
    }
    s
}

/// Inverts a symmetric positive-definite k × k matrix by Cholesky; `None` if it is not.
fn spd_inverse(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = a[i * k + j];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                // Relative pivot check: an aliased column makes the pivot vanish.
                if s <= 1e-10 * a[i * k + i].abs().max(f64::MIN_POSITIVE) {
                    return None;
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    // inv = L⁻ᵀ L⁻¹
    let mut linv = vec![0.0; k * k];
    for i in 0..k {
        linv[i * k + i] = 1.0 / l[i * k + i];
        for j in 0..i {
            let mut s = 0.0;
            for p in j..i {
                s -= l[i * k + p] * linv[p * k + j];
            }
            linv[i * k + j] = s / l[i * k + i];
        }
    }
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = 0.0;
            for p in i.max(j)..k {
                s += linv[p * k + i] * linv[p * k + j];
            }
            inv[i * k + j] = s;
            inv[j * k + i] = s;
        }
    }
    Some(inv)
}

fn poisson_deviance(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .zip(w)
        .map(|((&y, &m), &w)| {
            let term = if y > 0.0 { y * (y / m).ln() } else { 0.0 };
            2.0 * w * (term - (y - m))
        })
        .sum()
}

/// Fits a Poisson log-link GLM. `x` is row-major n × k, `w` the prior weights.
/// Returns `None` when the design is singular or IRLS does not converge.
pub fn fit_poisson(x: &[f64], k: usize, y: &[f64], w: &[f64]) -> Option<GlmFit> {
    fit_poisson_offset(x, k, y, w, None)
}

/// [`fit_poisson`] with an offset on the linear predictor (log exposure), as R's
/// `glm(..., offset = log(e))`: η = Xβ + offset, and R's start μ = y + 0.1 whatever the offset.
pub fn fit_poisson_offset(
    x: &[f64],
    k: usize,
    y: &[f64],
    w: &[f64],
    offset: Option<&[f64]>,
) -> Option<GlmFit> {
    let n = y.len();
    debug_assert_eq!(x.len(), n * k);
    let off = |r: usize| offset.map_or(0.0, |o| o[r]);
    let mut mu: Vec<f64> = y.iter().map(|&y| y + 0.1).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut dev_old = poisson_deviance(y, &mu, w);
    let mut beta = vec![0.0; k];
    let mut inv = Vec::new();
    let mut converged = false;
    let mut mu_last = mu.clone();
    // Designs here are mostly indicator columns: visit only each row's non-zero entries
    // (skipping exact zeros leaves every sum unchanged). One flat list, row r's columns at
    // `nz_index[nz_start[r]..nz_start[r + 1]]` and their values at the same places of
    // `nz_value`: no allocation per row.
    let mut nz_index: Vec<usize> = Vec::with_capacity(n * k.min(4));
    let mut nz_value: Vec<f64> = Vec::with_capacity(n * k.min(4));
    let mut nz_start: Vec<usize> = Vec::with_capacity(n + 1);
    nz_start.push(0);
    for row in x.chunks_exact(k) {
        for (i, &v) in row.iter().enumerate().filter(|(_, v)| **v != 0.0) {
            nz_index.push(i);
            nz_value.push(v);
        }
        nz_start.push(nz_index.len());
    }
    let entries = |r: usize| {
        let span = nz_start[r]..nz_start[r + 1];
        (&nz_index[span.clone()], &nz_value[span])
    };
    let mut xtwx = vec![0.0; k * k];
    let mut xtwz = vec![0.0; k];
    for _ in 0..MAX_ITER {
        mu_last.clone_from(&mu);
        xtwx.fill(0.0);
        xtwz.fill(0.0);
        for r in 0..n {
            let ww = w[r] * mu[r];
            if ww == 0.0 {
                continue;
            }
            // The working response excludes the offset (R: z = η − offset + (y − μ)/μ).
            let z = eta[r] - off(r) + (y[r] - mu[r]) / mu[r];
            let (cols, vals) = entries(r);
            for (a, (&i, &xi)) in cols.iter().zip(vals).enumerate() {
                // (ww·x_i)·z and (ww·x_i)·x_j: the products in R's order.
                let wxi = ww * xi;
                xtwz[i] += wxi * z;
                let xtwx_row = &mut xtwx[i * k..(i + 1) * k];
                for (&j, &xj) in cols[..=a].iter().zip(&vals[..=a]) {
                    xtwx_row[j] += wxi * xj;
                }
            }
        }
        for i in 0..k {
            for j in 0..i {
                xtwx[j * k + i] = xtwx[i * k + j];
            }
        }
        inv = spd_inverse(&xtwx, k)?;
        for i in 0..k {
            beta[i] = (0..k).map(|j| inv[i * k + j] * xtwz[j]).sum();
        }
        for r in 0..n {
            let (cols, vals) = entries(r);
            eta[r] = cols
                .iter()
                .zip(vals)
                .map(|(&i, &xi)| xi * beta[i])
                .sum::<f64>()
                + off(r);
            mu[r] = eta[r].exp();
        }
        let dev = poisson_deviance(y, &mu, w);
        if !dev.is_finite() {
            return None;
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < EPSILON {
            converged = true;
            break;
        }
        dev_old = dev;
    }
    if !converged {
        return None;
    }
    // Like R, report (XᵀWX)⁻¹ and the leverages with the weights of the last iteration (μ at
    // its start): `summary.glm` and `hatvalues` use the QR decomposition of that iteration.
    let w_last: Vec<f64> = mu_last.clone();
    let inv_final = inv;
    let hat = (0..n)
        .map(|r| {
            let (cols, vals) = entries(r);
            let q: f64 = cols
                .iter()
                .zip(vals)
                .map(|(&i, &xi)| {
                    cols.iter()
                        .zip(vals)
                        .map(|(&j, &xj)| xi * inv_final[i * k + j] * xj)
                        .sum::<f64>()
                })
                .sum();
            w[r] * w_last[r] * q
        })
        .collect();
    let working_weights = w.iter().zip(&w_last).map(|(a, b)| a * b).collect();
    Some(GlmFit {
        beta,
        mu,
        xtwx_inv: inv_final,
        hat,
        working_weights,
        k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn intercept_only_fit_is_the_mean() {
        let y = [3.0, 5.0, 4.0, 8.0];
        let x = [1.0; 4];
        let fit = fit_poisson(&x, 1, &y, &[1.0; 4]).unwrap();
        assert_relative_eq!(fit.beta[0].exp(), 5.0, max_relative = 1e-10);
        // Var(β̂) = 1/(n μ) for an intercept-only Poisson model (to IRLS's tolerance: like R,
        // the matrix is that of the last iteration).
        assert_relative_eq!(fit.xtwx_inv[0], 1.0 / 20.0, max_relative = 1e-5);
        assert_relative_eq!(fit.hat.iter().sum::<f64>(), 1.0, max_relative = 1e-8);
    }

    #[test]
    fn log_linear_trend_matches_r() {
        // R 4.2.2: coef(glm(c(1,3,2,6,8,9) ~ I(1:6), family = poisson))
        //    (Intercept) 0.05001549936  I(1:6) 0.37858536985
        let y = [1.0, 3.0, 2.0, 6.0, 8.0, 9.0];
        let x: Vec<f64> = (1..=6).flat_map(|t| [1.0, t as f64]).collect();
        let fit = fit_poisson(&x, 2, &y, &[1.0; 6]).unwrap();
        assert_relative_eq!(fit.beta[0], 0.05001549936, max_relative = 1e-6);
        assert_relative_eq!(fit.beta[1], 0.37858536985, max_relative = 1e-6);
        // Leverages sum to the number of parameters.
        assert_relative_eq!(fit.hat.iter().sum::<f64>(), 2.0, max_relative = 1e-8);
    }

    #[test]
    fn aliased_design_is_refused() {
        let y = [1.0, 2.0, 3.0];
        let x = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        assert!(fit_poisson(&x, 2, &y, &[1.0; 3]).is_none());
    }
}
