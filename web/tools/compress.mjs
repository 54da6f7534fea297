// Writes a .gz twin beside each text file of the build, which the server
// sends to clients that take gzip (http/webapp.c). Node's zlib only.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, constants } from "node:zlib";

const TEXT = /\.(html|js|mjs|css|svg|json|webmanifest|txt)$/;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (TEXT.test(name)) {
      const data = readFileSync(path);
      writeFileSync(path + ".gz", gzipSync(data, { level: constants.Z_BEST_COMPRESSION }));
    }
  }
}
walk(process.argv[2] || "dist");
