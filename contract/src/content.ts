import { z } from 'zod';
import { characters } from './common.js';

export const MAX_PARTS = 20;
export const MAX_TEXT_LENGTH = 100_000;
export const MAX_DATA_URL_BYTES = 10 * 1024 * 1024;

// A base64 data URL of 10 MB is about 13.4 M characters; anything longer is rejected before we
// look inside it.
const MAX_URL_LENGTH = Math.ceil((MAX_DATA_URL_BYTES * 4) / 3) + 256;

type Media = 'image' | 'video';

function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/** Why a media URL is unacceptable, or null when it is fine. */
export function mediaUrlProblem(url: string, media: Media): string | null {
  if (/^https?:\/\//i.test(url)) {
    try {
      new URL(url);
      return null;
    } catch {
      return 'URL 无效';
    }
  }
  const match = /^data:([a-z]+)\/[a-z0-9.+-]+(;[a-z0-9=.+-]+)*?(;base64)?,(.*)$/is.exec(url.slice(0, 200));
  if (!match) return 'URL 必须是 http(s):// 或 data: URL';
  if (match[1]!.toLowerCase() !== media) return `data: URL 的媒体类型必须是 ${media}/*`;
  const payload = url.slice(url.indexOf(',') + 1);
  const bytes = match[3] ? decodedLength(payload) : payload.length;
  if (bytes > MAX_DATA_URL_BYTES) return 'data: URL 超过 10 MB';
  return null;
}

function mediaUrl(media: Media) {
  return z
    .string()
    .min(1)
    .max(MAX_URL_LENGTH, 'data: URL 超过 10 MB')
    .superRefine((url, ctx) => {
      const problem = mediaUrlProblem(url, media);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })
    .describe(`${media === 'image' ? '图片' : '视频'} URL：http(s):// 或 data:${media}/…（不超过 10 MB）`);
}

export const TextPartSchema = z.object({
  type: z.literal('text'),
  text: characters(1, MAX_TEXT_LENGTH).describe('文本内容(type为text时必需)'),
});

export const ImagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: mediaUrl('image') }).describe('图片URL信息(type为image_url时必需)'),
});

export const VideoPartSchema = z.object({
  type: z.literal('video_url'),
  video_url: z.object({ url: mediaUrl('video') }).describe('视频URL信息(type为video_url时必需)'),
  fps: z.number().min(0.1).max(10).optional().describe('视频抽帧频率，0.1–10'),
});

export const ContentPartSchema = z.discriminatedUnion('type', [TextPartSchema, ImagePartSchema, VideoPartSchema]);
export type ContentPart = z.infer<typeof ContentPartSchema>;

export const ContentSchema = z.array(ContentPartSchema).min(1).max(MAX_PARTS).describe('消息内容数组，1–20 项');

/**
 * A text part as answers carry it. The limits of TextPartSchema are what a request may send; a
 * model's reply, relayed or stored, is as long as the model made it.
 */
export const ReplyTextPartSchema = z.object({
  type: z.literal('text'),
  text: z.string().describe('文本内容；模型回复不受请求的长度限制'),
});

/**
 * Content as answers carry it: what a user sent (it met ContentSchema) or what the model replied,
 * text of any length, and no parts at all when it said nothing (a stream cut off before any text).
 */
export const AnsweredContentSchema = z
  .array(z.discriminatedUnion('type', [ReplyTextPartSchema, ImagePartSchema, VideoPartSchema]))
  .describe('消息内容数组：用户发送的内容，或模型的回复（可为空数组）');

export const ContentType = z.enum(['text', 'image', 'video']);
export type ContentType = z.infer<typeof ContentType>;

/** The richest part decides: video > image > text. */
export function contentTypeOf(parts: readonly ContentPart[]): ContentType {
  if (parts.some((p) => p.type === 'video_url')) return 'video';
  if (parts.some((p) => p.type === 'image_url')) return 'image';
  return 'text';
}
