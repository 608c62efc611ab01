// One topic: its route (brokers and queue counts), per-queue offsets, a form that sends a test
// message, and delete (confirmed).

import { html, nothing } from 'lit';
import { api, segment } from '../api/api-client';
import type { SentMessage, TopicDetail } from '../api/api-types';
import { confirmAction } from '../components/confirm-dialog';
import { PageElement } from '../components/page-element';
import { formatTime } from '../format';
import { href, navigate } from '../router';
import { sharedStyles } from '../shared-styles';

export class TopicDetailPage extends PageElement {
  static override properties = { topic: { type: String }, detail: { state: true }, sent: { state: true } };
  static override styles = [sharedStyles];

  declare topic: string;
  declare detail: TopicDetail | undefined;
  declare sent: SentMessage | undefined;

  constructor() {
    super();
    this.topic = '';
    this.detail = undefined;
    this.sent = undefined;
  }

  protected async load(): Promise<void> {
    this.detail = await api.get<TopicDetail>(`topics/${segment(this.topic)}`);
  }

  async #send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    await this.run(async () => {
      this.sent = await api.post<SentMessage>(`topics/${segment(this.topic)}/messages`, {
        body: String(data.get('body') ?? ''),
        keys: text('keys'),
        tags: text('tags'),
      });
      await this.load();
    }, 'Message sent.');
  }

  async #delete(): Promise<void> {
    const confirmed = await confirmAction(
      `Delete topic ${this.topic} on every broker and name server? Its consumer offsets are dropped too.`,
      'Delete topic',
    );
    if (!confirmed) return;
    if (await this.run(() => api.delete(`topics/${segment(this.topic)}`, { confirm: true })))
      navigate('topics');
  }

  override render() {
    const detail = this.detail;
    return html`${this.banners()}
      <section class="card">
        <div class="toolbar">
          <h2>Topic ${this.topic}</h2>
          <span class="spacer"></span>
          <a href=${href('messages', undefined, { topic: this.topic })}>Search its messages</a>
          ${this.refreshButton()}
          <button class="danger" data-delete-topic ?disabled=${this.busy} @click=${() => void this.#delete()}>
            Delete
          </button>
        </div>
        <h3>Route</h3>
        <div class="table-wrap">
          <table data-route>
            <thead>
              <tr>
                <th>Broker</th>
                <th>Cluster</th>
                <th>Addresses</th>
                <th class="num">Read queues</th>
                <th class="num">Write queues</th>
                <th class="num">Perm</th>
              </tr>
            </thead>
            <tbody>
              ${(detail?.route.brokers ?? []).map((b) => {
                const queue = detail?.route.queues.find((q) => q.brokerName === b.brokerName);
                return html`<tr>
                  <td>${b.brokerName}</td>
                  <td>${b.cluster}</td>
                  <td>
                    ${b.addresses.map((a) => `${a.brokerId === 0 ? 'master' : `slave ${a.brokerId}`} ${a.address}`).join(', ')}
                  </td>
                  <td class="num">${queue?.readQueueNums ?? '—'}</td>
                  <td class="num">${queue?.writeQueueNums ?? '—'}</td>
                  <td class="num">${queue?.perm ?? '—'}</td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
        <h3>Queues</h3>
        <div class="table-wrap">
          <table data-queues>
            <thead>
              <tr>
                <th>Broker</th>
                <th class="num">Queue</th>
                <th class="num">Min offset</th>
                <th class="num">Max offset</th>
                <th>Last message stored</th>
              </tr>
            </thead>
            <tbody>
              ${(detail?.queues ?? []).map(
                (q) =>
                  html`<tr>
                    <td>${q.brokerName}</td>
                    <td class="num">${q.queueId}</td>
                    <td class="num">${q.minOffset}</td>
                    <td class="num">${q.maxOffset}</td>
                    <td>${formatTime(q.lastUpdateTimestamp)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card">
        <h2>Send a test message</h2>
        <form data-send-message @submit=${(e: SubmitEvent) => void this.#send(e)}>
          <label>Keys <input name="keys" placeholder="order-42" /></label>
          <label>Tag <input name="tags" placeholder="TagA" /></label>
          <label style="flex: 1 1 16rem"
            >Body <textarea name="body" required>{"hello":"keel"}</textarea>
          </label>
          <button type="submit" ?disabled=${this.busy}>Send</button>
        </form>
        ${
          this.sent === undefined
            ? nothing
            : html`<p data-sent>
                ${this.sent.status}: msgId
                <a href=${href('messages', this.sent.msgId, { topic: this.topic })}>${this.sent.msgId}</a>
                on ${this.sent.brokerName} queue ${this.sent.queueId} at offset ${this.sent.queueOffset}
              </p>`
        }
      </section>`;
  }
}
customElements.define('keel-topic-detail-page', TopicDetailPage);
