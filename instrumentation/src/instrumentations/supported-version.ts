/**
 * Whether a package version is in one of the supported ranges, each written
 * `>=A.B.C <N` (at least A.B.C, below major N), as `semver.satisfies` judges
 * it without prereleases: the register hook checks versions without loading
 * a semver library into every process.
 */
const RANGE = /^>=(\d+)\.(\d+)\.(\d+) <(\d+)$/;
const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export function isSupportedVersion(version: string | undefined, ranges: readonly string[]): boolean {
  const v = version === undefined ? null : VERSION.exec(version.trim());
  // A prerelease is outside every range here: none names a prerelease of its own.
  if (v === null || v[4] !== undefined) return false;
  const [major, minor, patch] = [Number(v[1]), Number(v[2]), Number(v[3])];
  return ranges.some((range) => {
    const r = RANGE.exec(range);
    if (r === null) throw new Error(`unsupported version range ${range}: write it ">=A.B.C <N"`);
    const [minMajor, minMinor, minPatch, belowMajor] = [Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4])];
    const atLeast = major !== minMajor ? major > minMajor : minor !== minMinor ? minor > minMinor : patch >= minPatch;
    return atLeast && major < belowMajor;
  });
}
