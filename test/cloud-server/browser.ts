/** A minimal browser for page tests: a cookie jar, no redirects followed, form posts. */
export interface PageAnswer {
  status: number;
  text: string;
  location: string | null;
  headers: Headers;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  async get(path: string): Promise<PageAnswer> {
    return this.#send(path, { method: 'GET' });
  }

  /** Posts a urlencoded form; `_csrf` is added from `csrfFrom` (a page's HTML) when given. */
  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.#send(path, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  async postMultipart(path: string, form: FormData): Promise<PageAnswer> {
    return this.#send(path, { method: 'POST', body: form });
  }

  async #send(path: string, init: RequestInit): Promise<PageAnswer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) };
    const res = await fetch(`${this.#base}${path}`, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: res.status,
      text: await res.text(),
      location: res.headers.get('location'),
      headers: res.headers,
    };
  }
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1] as string;
}
