// Runs first in `npm start` and `npm test` (package.json): on a Node too old to run the TypeScript
// sources it stops with one line saying what to do, instead of ERR_UNKNOWN_FILE_EXTENSION ".ts".
// Old-style JavaScript on purpose (var, no arrows, CommonJS), so that any Node can read it.
'use strict';

// Node runs .ts files without a flag from 22.18 on the 22 line, and from 23.6 on the 23 line.
var FIRST_WITH_TYPES = { 22: [22, 18, 0], 23: [23, 6, 0] };
var FIRST_MAJOR = 22;
var ALWAYS_FROM_MAJOR = 24;

function parse(version) {
  var m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function atLeast(v, min) {
  for (var i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

/** Whether this Node version (process.version) can run screenpop. */
function nodeSupported(version) {
  var v = parse(version);
  if (!v || v[0] < FIRST_MAJOR) return false;
  if (v[0] >= ALWAYS_FROM_MAJOR) return true;
  return atLeast(v, FIRST_WITH_TYPES[v[0]]);
}

/** The one line for an unsupported version. */
function advice(version) {
  return 'screenpop needs Node 22.18 or newer (24 recommended), this is Node ' + version + ': upgrade with `npm install -g --force node@24`, then run the command again.';
}

module.exports = { nodeSupported: nodeSupported, advice: advice };

if (require.main === module && !nodeSupported(process.version)) {
  console.error(advice(process.version));
  process.exit(1);
}
