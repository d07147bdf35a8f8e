import type { ContentPart } from '@bailian-chat/contract';

/** A message's parts as one line of text, media shown as `[image]` / `[video]` placeholders. */
export function contentSummary(parts: readonly ContentPart[]): string {
  return parts
    .map((part) => {
      if (part.type === 'text') return part.text;
      return part.type === 'image_url' ? '[image]' : '[video]';
    })
    .join(' ');
}
