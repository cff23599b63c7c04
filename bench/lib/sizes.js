// Bytes of the files a page downloads for a tag: raw, gzip -9 and brotli q11 (node zlib).
"use strict";
const fs = require("node:fs");
const zlib = require("node:zlib");

/** {raw, gzip, brotli} of one file. */
function fileSizes(file) {
  const buf = fs.readFileSync(file);
  return {
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
      },
    }).length,
  };
}

/** Sum of fileSizes over `files`, with the per-file rows. */
function totalSizes(files) {
  const rows = files.map((f) => ({ file: f, ...fileSizes(f) }));
  const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
  return { files: rows, raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli") };
}

module.exports = { fileSizes, totalSizes };
