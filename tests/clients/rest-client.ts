// A REST client nobody at the farm wrote by hand: its types are generated from the farm's /openapi.json by
// openapi-typescript (./schema.d.ts, written by the test before compiling), its calls made by openapi-fetch, and tsc
// checks every path, parameter and body against that schema. Usage: node rest-client.js BASE_URL UPLOAD_ID PATTERN.
// Prints one JSON summary; any contract surprise throws (exit 1).
import createClient from "openapi-fetch";
import { createHash } from "node:crypto";
import type { components, paths } from "./schema";

type Job = components["schemas"]["Job"];
type JobEvent = components["schemas"]["JobEvent"];
type DataChunk = components["schemas"]["DataChunk"];

const [baseUrl, uploadId, pattern] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl });

/** Reads a newline-delimited JSON stream (the spec's application/x-ndjson) object by object. */
async function* lines<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const piece of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(piece, { stream: true });
    let end: number;
    while ((end = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, end).trim();
      buffered = buffered.slice(end + 1);
      if (line.length > 0) {
        yield JSON.parse(line) as T;
      }
    }
  }

  if (buffered.trim().length > 0) {
    yield JSON.parse(buffered) as T;
  }
}

function fail(what: string, detail: unknown): never {
  throw new Error(`${what}: ${JSON.stringify(detail)}`);
}

async function main(): Promise<void> {
  const submitted = await client.POST("/v1/jobs", {
    body: { source: { uploadId }, patternName: pattern, labels: { via: "openapi-fetch" }, idempotencyKey: "openapi-fetch-1" },
  });
  const job: Job = submitted.data ?? fail("submit", submitted.error);
  const jobId = job.id ?? fail("submit: no id", job);

  const watched = await client.GET("/v1/jobs/{job_id}:watch", { params: { path: { job_id: jobId } }, parseAs: "stream" });
  if (!watched.response.ok || watched.data == null) {
    fail("watch", watched.response.status);
  }

  const contentType = watched.response.headers.get("content-type") ?? "";
  const events: JobEvent[] = [];
  for await (const event of lines<JobEvent>(watched.data)) {
    events.push(event);
  }

  // int64 is a string in the proto3 JSON mapping, and the spec says so.
  const sequences = events.map((e) => BigInt(e.sequence ?? fail("event without a sequence", e)));
  if (sequences.some((s, i) => i > 0 && s <= sequences[i - 1]!)) {
    fail("sequences out of order", sequences.map(String));
  }

  const got = await client.GET("/v1/jobs/{job_id}", { params: { path: { job_id: jobId } } });
  const done: Job = got.data ?? fail("get", got.error);
  const listed = await client.GET("/v1/jobs", { params: { query: { label: ["via=openapi-fetch"], pageSize: 10 } } });
  const page = listed.data ?? fail("list", listed.error);

  const outputs: { name: string; sha256: string; matches: boolean; bytes: number }[] = [];
  for (const output of done.outputs ?? []) {
    const name = output.name ?? fail("output without a name", output);
    const download = await client.GET("/v1/jobs/{job_id}/outputs/{name}", { params: { path: { job_id: jobId, name } }, parseAs: "stream" });
    if (!download.response.ok || download.data == null) {
      fail(`download ${name}`, download.response.status);
    }

    const hash = createHash("sha256");
    let bytes = 0;
    for await (const chunk of lines<DataChunk>(download.data)) {
      const data = Buffer.from(chunk.data ?? "", "base64");
      bytes += data.length;
      hash.update(data);
    }

    const sha256 = hash.digest("hex");
    outputs.push({ name, sha256, matches: sha256 === output.sha256, bytes });
  }

  // Cancel: a second job, cancelled at once with the empty body an action route accepts.
  const second = await client.POST("/v1/jobs", { body: { source: { uploadId }, patternName: pattern, idempotencyKey: "openapi-fetch-2" } });
  const secondId = second.data?.id ?? fail("submit 2", second.error);
  const cancelled = await client.POST("/v1/jobs/{job_id}:cancel", { params: { path: { job_id: secondId } }, body: {} });

  // Errors come back as the spec's Status schema, a typed object.
  const missing = await client.GET("/v1/jobs/{job_id}", { params: { path: { job_id: "job_nope" } } });

  console.log(JSON.stringify({
    jobId,
    state: done.state,
    watchContentType: contentType,
    events: events.length,
    lastSequence: done.lastSequence,
    lastEvent: events.at(-1)?.sequence,
    terminal: events.at(-1)?.stateChanged?.state,
    listed: (page.jobs ?? []).map((j) => j.id),
    outputs,
    cancelled: cancelled.data?.state ?? cancelled.error,
    missing: { status: missing.response.status, code: missing.error?.code, message: missing.error?.message },
  }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
