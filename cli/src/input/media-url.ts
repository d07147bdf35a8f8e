import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { MAX_DATA_URL_BYTES } from '@bailian-chat/contract';
import { UsageError } from '../usage-error.js';

export type MediaKind = 'image' | 'video';

const MIME_TYPES: Record<MediaKind, Record<string, string>> = {
  image: {
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.gif': 'image/gif',
    '.webp': 'image/webp',
    '.bmp': 'image/bmp',
    '.tif': 'image/tiff',
    '.tiff': 'image/tiff',
    '.heic': 'image/heic',
  },
  video: {
    '.mp4': 'video/mp4',
    '.mov': 'video/quicktime',
    '.webm': 'video/webm',
    '.mkv': 'video/x-matroska',
    '.avi': 'video/x-msvideo',
    '.mpeg': 'video/mpeg',
    '.mpg': 'video/mpeg',
  },
};

const REMOTE = /^(https?:\/\/|data:)/i;

/**
 * What goes in an `image_url` / `video_url` part: a URL as given (the server checks it), or a
 * local file inlined as a base64 `data:` URL. The size limit is checked before the file is read,
 * so a mistaken multi-gigabyte path fails at once instead of filling memory.
 */
export async function toMediaUrl(source: string, kind: MediaKind): Promise<string> {
  if (REMOTE.test(source)) return source;
  const mime = MIME_TYPES[kind][extname(source).toLowerCase()];
  if (!mime) {
    const known = Object.keys(MIME_TYPES[kind]).join(', ');
    throw new UsageError(`${source}: not a known ${kind} file type (expected one of ${known})`);
  }
  const info = await stat(source).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${source}: no such file`);
  if (info.size > MAX_DATA_URL_BYTES) {
    throw new UsageError(`${source}: ${info.size} bytes, more than the ${MAX_DATA_URL_BYTES / 1024 / 1024} MB limit`);
  }
  const bytes = await readFile(source);
  return `data:${mime};base64,${bytes.toString('base64')}`;
}
