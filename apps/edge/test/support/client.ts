/** A small HTTP client for the end-to-end tests: JSON in, status and JSON out. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON (each test checks the parts it reads), or `{ unparsable: text }`. */
  readonly body: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { unparsable: text };
  }
  return { status: response.status, headers: response.headers, body };
}

/** POST a JSON value (or raw text) with `Content-Type: application/json` unless told otherwise. */
export function post(url: string, body: unknown, contentType = 'application/json'): Promise<Answer> {
  return call(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** The events of a text/event-stream body, in order: `{ event, data }` (`event` is `message` when unnamed). */
export function serverSentEvents(text: string): { event: string; data: any }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      return { event, data: JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice('data: '.length) ?? 'null') };
    });
}
