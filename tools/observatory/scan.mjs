// Scan many hosts with the real HTTP Observatory scanner in one process.
// stdin: a JSON array of hostnames; stdout: a JSON object, hostname -> {score, grade, tests} or {error}.
// Trust for a test CA comes from NODE_EXTRA_CA_CERTS, the variable the package's own CLI wrapper sets.
import { scan } from "@mdn/mdn-http-observatory";

const CONCURRENCY = Number(process.env.OBSERVATORY_CONCURRENCY || 8);

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function scanOne(host) {
  try {
    const result = await scan(host);
    const tests = {};
    for (const [name, test] of Object.entries(result.tests)) {
      tests[name] = { result: test.result, scoreModifier: test.scoreModifier, pass: test.pass };
    }
    return { score: result.scan.score, grade: result.scan.grade, tests };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const hosts = await readStdin();
const out = {};
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(CONCURRENCY, hosts.length) }, async () => {
    while (next < hosts.length) {
      const host = hosts[next++];
      out[host] = await scanOne(host);
    }
  })
);
process.stdout.write(JSON.stringify(out));
