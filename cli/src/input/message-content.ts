import type { ContentPart } from '@bailian-chat/client';
import { UsageError } from '../usage-error.js';
import { toMediaUrl } from './media-url.js';

export interface ContentSources {
  text?: string;
  images?: string[];
  videos?: string[];
}

/**
 * The parts of a message: media first, then the text (the order Qwen's vision models are shown
 * examples in), each image and video a URL or a local file inlined as a data: URL.
 */
export async function messageContent({ text, images = [], videos = [] }: ContentSources): Promise<ContentPart[]> {
  const parts: ContentPart[] = [];
  for (const image of images) parts.push({ type: 'image_url', image_url: { url: await toMediaUrl(image, 'image') } });
  for (const video of videos) parts.push({ type: 'video_url', video_url: { url: await toMediaUrl(video, 'video') } });
  if (text) parts.push({ type: 'text', text });
  if (parts.length === 0) throw new UsageError('nothing to send: give a text, --image or --video');
  return parts;
}
