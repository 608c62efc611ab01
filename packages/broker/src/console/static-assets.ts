// The front end's files (built by Vite from packages/console-ui), served from a directory on disk:
// no CDN, nothing fetched at run time. Paths outside the directory are refused; Vite's hashed files
// under /assets/ are cached for good, index.html never (it names the current hashes).

import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { KeelError } from '../common/errors';

export const CONSOLE_ASSETS_MISSING = 'CONSOLE_ASSETS_MISSING';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly cacheControl: string;
}

/** The built front end is not where the console looks for it. */
export class ConsoleAssetsMissingError extends KeelError {
  constructor(dir: string, options: { readonly cause?: unknown } = {}) {
    super(
      CONSOLE_ASSETS_MISSING,
      `the console's front end is not built: no index.html in ${dir}. Run 'npm run build' at the repository root ` +
        '(it builds packages/console-ui), or pass --assets-dir <dir> naming a built copy',
      { cause: options.cause },
    );
  }
}

export class StaticAssets {
  readonly #root: string;

  private constructor(root: string) {
    this.#root = root;
  }

  /** Checks that `dir` holds a built front end; throws ConsoleAssetsMissingError otherwise. */
  static async open(dir: string): Promise<StaticAssets> {
    const root = resolve(dir);
    try {
      if (!(await stat(join(root, 'index.html'))).isFile()) throw new ConsoleAssetsMissingError(root);
    } catch (error) {
      if (error instanceof ConsoleAssetsMissingError) throw error;
      throw new ConsoleAssetsMissingError(root, { cause: error });
    }
    return new StaticAssets(root);
  }

  get root(): string {
    return this.#root;
  }

  /** The file for a URL path, or undefined when there is none (or the path leaves the directory). */
  async read(urlPath: string): Promise<StaticFile | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch (error) {
      if (error instanceof URIError) return undefined;
      throw error;
    }
    const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
    const path = resolve(this.#root, relative);
    if (!path.startsWith(this.#root + sep) || decoded.includes('\0')) return undefined;
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const hashed = relative.startsWith('assets/');
    return {
      body,
      contentType: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/**
 * Where the front end is built in this repository: packages/console-ui/dist, next to this package
 * (the same from src/console under ts-jest/swc and from dist/console after `tsc -b`).
 */
export function defaultConsoleAssetsDir(): string {
  return resolve(__dirname, '..', '..', '..', 'console-ui', 'dist');
}
