/*
 * Run inside the test's namespace: a stand-in for the tenant's key endpoint on 127.0.0.1. Serves the
 * JSON Web Key Set in <jwksFile> (re-read on every request, so the test rotates keys by rewriting
 * it) and appends a line to <logFile> per request, so the test counts the app's fetches.
 */
import * as fs from "node:fs";
import * as http from "node:http";

const [jwksFile, logFile, port] = process.argv.slice(2);
const server = http.createServer((request, response) => {
  fs.appendFileSync(logFile, `${request.method} ${request.url}\n`);
  if (request.url !== "/keys") {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(fs.readFileSync(jwksFile, "utf8"));
});
server.listen(Number(port), "127.0.0.1", () =>
  process.stdout.write(JSON.stringify({ listening: Number(port) }) + "\n"),
);
