// Package drift, made visible: every package pinned in Directory.Packages.props with its pinned version and the
// newest stable version the configured NuGet source serves (the flat-container API). The registry here serves no
// vulnerability data, so `dotnet restore` never warns about an advisory: keeping packages current is how advisories
// are taken, and this list says where we lag. Two columns: the newest release of the pinned major version (fixes come
// there; packages that follow the .NET runtime stay on its major, 10) and the newest of all (a new major is a decision).
// Informational (exit 0); --strict exits 1 when a package lags inside its own major version. Usage: node scripts/check-packages.mjs [--strict] [--source https://api.nuget.org/v3-flatcontainer/]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const sourceAt = args.indexOf('--source');
const source = sourceAt >= 0 ? args[sourceAt + 1] : 'https://api.nuget.org/v3-flatcontainer/';
const props = readFileSync(new URL('../Directory.Packages.props', import.meta.url), 'utf8');
const pins = [...props.matchAll(/<PackageVersion Include="([^"]+)" Version="([^"]+)"/g)].map((m) => ({ id: m[1], pinned: m[2] }));

// "1.20.1-beta.1" -> [1, 20, 1, 0] with a prerelease tag; stable versions sort after their prereleases.
const parse = (v) => {
  const [core, pre] = v.split('-', 2);
  return { parts: core.split('.').map(Number), pre: pre || '' };
};
const compare = (a, b) => {
  const x = parse(a), y = parse(b);
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const d = (x.parts[i] || 0) - (y.parts[i] || 0);
    if (d) return d;
  }
  return x.pre === y.pre ? 0 : !x.pre ? 1 : !y.pre ? -1 : x.pre < y.pre ? -1 : 1;
};

let inMajorBehind = 0;
const rows = await Promise.all(pins.map(async ({ id, pinned }) => {
  try {
    const response = await fetch(`${source}${id.toLowerCase()}/index.json`, { signal: AbortSignal.timeout(20_000) });
    if (!response.ok) return { id, pinned, sameMajor: '', newest: `(HTTP ${response.status})`, status: 'unknown' };
    const versions = (await response.json()).versions || [];
    // A pinned prerelease is compared with prereleases too (some packages are only served as betas).
    const candidates = versions.filter((v) => !v.includes('-') || parse(pinned).pre).sort(compare);
    const newest = candidates.at(-1) || pinned;
    const sameMajor = candidates.filter((v) => parse(v).parts[0] === parse(pinned).parts[0]).at(-1) || pinned;
    const lags = compare(pinned, sameMajor) < 0;
    if (lags) inMajorBehind++;
    const status = lags ? 'BEHIND in its major' : compare(pinned, newest) < 0 ? 'newer major served' : 'current';
    return { id, pinned, sameMajor, newest, status };
  } catch (e) {
    return { id, pinned, sameMajor: '', newest: `(${e.name})`, status: 'unknown' };
  }
}));

const width = Math.max(...rows.map((r) => r.id.length));
const line = (a, b, c, d, e) => console.log(`${a.padEnd(width)}  ${b.padEnd(16)}  ${c.padEnd(18)}  ${d.padEnd(16)}  ${e}`);
line('package', 'pinned', 'newest same major', 'newest served', 'status');
for (const r of rows) line(r.id, r.pinned, r.sameMajor, r.newest, r.status);
const count = (status) => rows.filter((r) => r.status === status).length;
console.log(`${rows.length} packages: ${count('current')} current, ${inMajorBehind} behind inside their major version, ${count('newer major served')} with a newer major served, ${count('unknown')} unknown; source ${source}`);
process.exit(strict && inMajorBehind > 0 ? 1 : 0);
