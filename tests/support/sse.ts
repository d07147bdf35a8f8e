/**
 * The `data:` payloads of a Server-Sent Events response, in order, until the stream ends — or
 * until `count` of them have arrived, leaving the rest unread (to then disconnect mid-stream).
 */
export async function readSseData(res: Response, count = Infinity): Promise<string[]> {
  if (!res.body) throw new Error('response has no body');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const payloads: string[] = [];
  let buffer = '';
  while (payloads.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1 && payloads.length < count) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length));
      if (data.length) payloads.push(data.join('\n'));
    }
  }
  return payloads;
}
