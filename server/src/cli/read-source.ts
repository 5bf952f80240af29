// Reads a source file for analysis, turning the odd ones (binary, BOM, huge) into clear messages.
import * as fs from 'fs';

export type ReadResult = { text: string } | { skipped: string };

export function readSource(absolute: string, maxFileSize: number): ReadResult {
  let size: number;
  try {
    size = fs.statSync(absolute).size;
  } catch (err) {
    return { skipped: (err as Error).message };
  }
  if (size > maxFileSize) {
    return { skipped: `skipped: ${size} bytes is over the ${maxFileSize}-byte limit (raise maxFileSize in .locklint.json or --max-file-size)` };
  }
  let buf: Buffer;
  try {
    buf = fs.readFileSync(absolute);
  } catch (err) {
    return { skipped: (err as Error).message };
  }
  return decodeSource(buf);
}

export function decodeSource(buf: Buffer): ReadResult {
  const probe = buf.subarray(0, 8192);
  if (probe.includes(0)) return { skipped: 'skipped: looks like a binary file (contains NUL bytes)' };
  // A BOM becomes a space so every later column stays where the editor shows it.
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = ' ' + text.slice(1);
  return { text };
}
