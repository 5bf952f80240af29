// File paths to RFC 3986 URIs for SARIF. Written by hand rather than with url.pathToFileURL
// because that follows the host platform and leaves characters like "[" unencoded; SARIF
// consumers (GitHub code scanning, the VS Code SARIF viewer) want strict URIs on every platform.
import * as path from 'path';
import { fileURLToPath } from 'url';

/** Percent-encodes one path segment: spaces, non-ASCII (as UTF-8), and every reserved character. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function segments(p: string): string[] {
  return p.split(/[\\/]/);
}

/** A relative path as a relative URI reference: "src/my file.c" -> "src/my%20file.c". */
export function relativePathToUri(relPath: string): string {
  const parts = segments(relPath).filter((s) => s !== '' && s !== '.');
  return parts.map(encodeSegment).join('/');
}

/** An absolute path (POSIX, Windows drive or UNC) as a file: URI. */
export function absolutePathToUri(absPath: string): string {
  const drive = /^([a-zA-Z]):[\\/]/.exec(absPath);
  if (drive) return `file:///${drive[1].toUpperCase()}:/${relativePathToUri(absPath.slice(3))}`;
  const unc = /^[\\/]{2}([^\\/]+)[\\/]/.exec(absPath);
  if (unc) return `file://${unc[1]}/${relativePathToUri(absPath.slice(unc[0].length))}`;
  return `file:///${relativePathToUri(absPath)}`;
}

const SCHEME_RE = /^[a-zA-Z][a-zA-Z0-9+.-]+:/; // two or more characters, so "C:" is a drive, not a scheme

/** A base URI for %SRCROOT%: accepts a URI or an absolute path; always ends with "/" (SARIF requires it). */
export function normaliseBaseUri(rootUri: string): string {
  const uri = SCHEME_RE.test(rootUri) ? rootUri : absolutePathToUri(rootUri);
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The local directory a file: base URI names, if it is one. */
export function baseUriToPath(baseUri: string): string | undefined {
  if (!baseUri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(baseUri);
  } catch {
    return undefined;
  }
}

export interface ArtifactUri {
  uri: string;
  /** Present when `uri` is relative to the source root. */
  uriBaseId?: string;
}

/**
 * Where a finding's file goes in SARIF: relative to the root when under it (or already relative),
 * otherwise an absolute file: URI.
 */
export function artifactUri(file: string, rootPath: string | undefined, baseId: string): ArtifactUri {
  if (!path.isAbsolute(file) && !/^[a-zA-Z]:[\\/]/.test(file)) return { uri: relativePathToUri(file), uriBaseId: baseId };
  if (rootPath !== undefined) {
    const rel = path.relative(rootPath, file);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return { uri: relativePathToUri(rel), uriBaseId: baseId };
  }
  return { uri: absolutePathToUri(file) };
}
