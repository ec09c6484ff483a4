"""A local incoming-webhook server for uptick's delivery tests (http.server), 127.0.0.1 only.

Usage: webhook_server.py OUTDIR ANSWERS
ANSWERS: comma-separated HTTP statuses given to successive POSTs (the last repeats), or
"hang" (read the request, never answer). Each POST body is saved as OUTDIR/N.json.
Prints the port, then serves until stdin closes."""
import http.server, os, sys, threading, time

out, answers = sys.argv[1], sys.argv[2].split(",")
count = [0]
lock = threading.Lock()


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            count[0] += 1
            n = count[0]
        with open(os.path.join(out, f"{n}.json.tmp"), "wb") as f:
            f.write(body)
        os.replace(os.path.join(out, f"{n}.json.tmp"), os.path.join(out, f"{n}.json"))
        answer = answers[min(n, len(answers)) - 1]
        if answer == "hang":
            time.sleep(3600)
            return
        code = int(answer)
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if code < 300 else b"no")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
