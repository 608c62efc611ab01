// Message search: by topic and store-time range, by key, or by id; each result opens the detail.

import { html } from 'lit';
import { api } from '../api/api-client';
import type { MessageSummary } from '../api/api-types';
import { now } from '../clock';
import { PageElement } from '../components/page-element';
import { formatTime, fromLocalInput, toLocalInput } from '../format';
import { href, navigate } from '../router';
import { sharedStyles } from '../shared-styles';

const HOUR_MS = 3_600_000;

export class MessagesPage extends PageElement {
  static override properties = { topic: { type: String }, results: { state: true } };
  static override styles = [sharedStyles];

  declare topic: string;
  declare results: readonly MessageSummary[] | undefined;

  constructor() {
    super();
    this.topic = '';
    this.results = undefined;
  }

  /** Nothing to load until the operator searches. */
  protected async load(): Promise<void> {}

  async #search(event: SubmitEvent, mode: 'key' | 'time'): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const topic = String(data.get('topic') ?? '').trim();
    this.topic = topic;
    const query = new URLSearchParams({ topic });
    if (mode === 'key') {
      query.set('key', String(data.get('key') ?? '').trim());
    } else {
      const begin = fromLocalInput(String(data.get('begin') ?? ''));
      const end = fromLocalInput(String(data.get('end') ?? ''));
      if (begin !== undefined) query.set('begin', String(begin));
      if (end !== undefined) query.set('end', String(end));
    }
    await this.run(async () => {
      this.results = (await api.get<{ messages: MessageSummary[] }>(`messages?${query.toString()}`)).messages;
    });
  }

  #openById(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const id = String(data.get('msgId') ?? '').trim();
    const topic = String(data.get('topic') ?? '').trim();
    navigate('messages', id, topic === '' ? undefined : { topic });
  }

  override render() {
    const topicInput = html`<label
      >Topic <input name="topic" required .value=${this.topic} placeholder="OrderEvents"
    /></label>`;
    return html`${this.banners()}
      <section class="card">
        <h2>Find messages</h2>
        <h3>By key</h3>
        <form data-search-key @submit=${(e: SubmitEvent) => void this.#search(e, 'key')}>
          ${topicInput}
          <label>Key <input name="key" required placeholder="order-42" /></label>
          <button type="submit" ?disabled=${this.busy}>Search</button>
        </form>
        <h3>By store time</h3>
        <form data-search-time @submit=${(e: SubmitEvent) => void this.#search(e, 'time')}>
          ${topicInput}
          <label
            >From <input name="begin" type="datetime-local" .value=${toLocalInput(now() - HOUR_MS)} required
          /></label>
          <label>To <input name="end" type="datetime-local" /></label>
          <button type="submit" ?disabled=${this.busy}>Search</button>
        </form>
        <h3>By id</h3>
        <form data-search-id @submit=${(e: SubmitEvent) => this.#openById(e)}>
          <label>Message id <input name="msgId" required size="34" /></label>
          <label>Topic (for a producer's msgId) <input name="topic" .value=${this.topic} /></label>
          <button type="submit">Open</button>
        </form>
      </section>
      ${
        this.results === undefined
          ? ''
          : html`<section class="card">
              <h2>${this.results.length} messages</h2>
              <div class="table-wrap">
                <table data-results>
                  <thead>
                    <tr>
                      <th>Message id</th>
                      <th>Keys</th>
                      <th>Tag</th>
                      <th class="num">Queue</th>
                      <th class="num">Offset</th>
                      <th>Stored</th>
                      <th class="num">Size</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.results.map(
                      (m) =>
                        html`<tr>
                          <td><a href=${href('messages', m.offsetMsgId)}>${m.msgId}</a></td>
                          <td>${m.keys.join(' ')}</td>
                          <td>${m.tags ?? ''}</td>
                          <td class="num">${m.queueId}</td>
                          <td class="num">${m.queueOffset}</td>
                          <td>${formatTime(m.storeTimestamp)}</td>
                          <td class="num">${m.bodySize}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
            </section>`
      }`;
  }
}
customElements.define('keel-messages-page', MessagesPage);
