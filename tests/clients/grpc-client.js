// A gRPC client nobody at the farm wrote: @grpc/grpc-js with the public protos loaded at run time by
// @grpc/proto-loader (int64 as strings, enums as names). Upload (client stream), submit, watch (server stream), list,
// download (server stream, SHA-256 checked), cancel, and one error's status.
// Usage: node grpc-client.js ADDRESS PROTO_ROOT GOOGLEAPIS_ROOT FILE PATTERN. Prints one JSON summary; exit 1 on a surprise.
"use strict";
const grpc = require("@grpc/grpc-js");
const loader = require("@grpc/proto-loader");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const [address, protoRoot, googleapis, file, pattern] = process.argv.slice(2);
const definition = loader.loadSync(["media/v1/jobs.proto", "media/v1/uploads.proto"], {
  includeDirs: [protoRoot, googleapis],
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const media = grpc.loadPackageDefinition(definition).media.v1;
const credentials = grpc.credentials.createInsecure();
const jobs = new media.Jobs(address, credentials);
const uploads = new media.Uploads(address, credentials);

const unary = (client, method, request) =>
  new Promise((resolve, reject) => client[method](request, (error, response) => (error ? reject(error) : resolve(response))));

function stream(call) {
  return new Promise((resolve, reject) => {
    const items = [];
    call.on("data", (item) => items.push(item));
    call.on("error", reject);
    call.on("end", () => resolve(items));
  });
}

function upload() {
  const bytes = fs.readFileSync(file);
  return new Promise((resolve, reject) => {
    const call = uploads.Upload((error, response) => (error ? reject(error) : resolve(response)));
    call.write({ header: { fileName: path.basename(file), contentType: "video/mp4", sizeBytes: String(bytes.length) } });
    for (let offset = 0; offset < bytes.length; offset += 256 * 1024) {
      call.write({ data: bytes.subarray(offset, offset + 256 * 1024) });
    }

    call.write({ trailer: { sha256: crypto.createHash("sha256").update(bytes).digest("hex") } });
    call.end();
  });
}

async function main() {
  const uploaded = await upload();
  const job = await unary(jobs, "SubmitJob", {
    source: { uploadId: uploaded.uploadId },
    patternName: pattern,
    labels: { via: "grpc-js" },
    idempotencyKey: "grpc-js-1",
  });
  const events = await stream(jobs.WatchJob({ jobId: job.id }));
  const done = await unary(jobs, "GetJob", { jobId: job.id });
  const listed = await unary(jobs, "ListJobs", { labels: { via: "grpc-js" }, pageSize: 10 });

  const outputs = [];
  for (const output of done.outputs) {
    const chunks = await stream(jobs.DownloadOutput({ jobId: job.id, name: output.name }));
    const hash = crypto.createHash("sha256");
    let bytes = 0;
    for (const chunk of chunks) {
      hash.update(chunk.data);
      bytes += chunk.data.length;
    }

    const sha256 = hash.digest("hex");
    outputs.push({ name: output.name, sha256, matches: sha256 === output.sha256, bytes });
  }

  const second = await unary(jobs, "SubmitJob", { source: { uploadId: uploaded.uploadId }, patternName: pattern, idempotencyKey: "grpc-js-2" });
  const cancelled = await unary(jobs, "CancelJob", { jobId: second.id });
  let missing = null;
  try {
    await unary(jobs, "GetJob", { jobId: "job_nope" });
  } catch (error) {
    missing = { code: error.code, details: error.details };
  }

  console.log(JSON.stringify({
    uploadId: uploaded.uploadId,
    jobId: job.id,
    state: done.state,
    events: events.length,
    sequences: events.map((e) => e.sequence),
    lastSequence: done.lastSequence,
    terminal: events.at(-1)?.stateChanged?.state,
    listed: listed.jobs.map((j) => j.id),
    outputs,
    cancelled: cancelled.state,
    missing,
  }));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
