// The npm registry reachable from the build machines does not serve some native packages' binaries for
// other platforms, so `npm install` leaves them out of package-lock.json and `npm ci` then
// refuses the lock. This adds their lock entries (optional, with os/cpu), which npm ci skips on
// Linux exactly as it would with a complete lock. Run after changing dependencies:
//   node scripts/lock-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const platform = {
  'darwin-arm64': ['darwin', 'arm64'],
  'darwin-x64': ['darwin', 'x64'],
  'linux-arm-gnueabihf': ['linux', 'arm'],
  'linux-arm64-gnu': ['linux', 'arm64'],
  'linux-arm64-musl': ['linux', 'arm64'],
  'linux-ppc64-gnu': ['linux', 'ppc64'],
  'linux-s390x-gnu': ['linux', 's390x'],
  'linux-x64-gnu': ['linux', 'x64'],
  'linux-x64-musl': ['linux', 'x64'],
  'win32-arm64-msvc': ['win32', 'arm64'],
  'win32-ia32-msvc': ['win32', 'ia32'],
  'win32-x64-msvc': ['win32', 'x64'],
  // msgpackr-extract (BullMQ) names its binaries without the libc suffix.
  'linux-arm': ['linux', 'arm'],
  'linux-arm64': ['linux', 'arm64'],
  'linux-x64': ['linux', 'x64'],
  'win32-x64': ['win32', 'x64'],
};
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!entry.optionalDependencies) continue;
  const base = path.replace(/node_modules\/[^/]+(\/[^/]+)?$/, '');
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    const key = `${base}node_modules/${name}`;
    if (lock.packages[key]) continue;
    const suffix = Object.keys(platform).find((p) => name.endsWith(p));
    if (!suffix) continue;
    const [os, cpu] = platform[suffix];
    lock.packages[key] = { version, cpu: [cpu], license: entry.license, optional: true, os: [os] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} platform entries`);
