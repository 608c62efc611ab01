// One consumer group: its members with their client addresses, what it subscribes, its lag per
// queue, and resetting its offsets on a topic to a time (confirmed; stop its consumers first).

import { html } from 'lit';
import { api, segment } from '../api/api-client';
import type { GroupDetail, OffsetResets } from '../api/api-types';
import { now } from '../clock';
import { confirmAction } from '../components/confirm-dialog';
import { PageElement } from '../components/page-element';
import { formatCount, formatTime, fromLocalInput, toLocalInput } from '../format';
import { sharedStyles } from '../shared-styles';

const HOUR_MS = 3_600_000;

export class GroupDetailPage extends PageElement {
  static override properties = { group: { type: String }, detail: { state: true } };
  static override styles = [sharedStyles];

  declare group: string;
  declare detail: GroupDetail | undefined;

  constructor() {
    super();
    this.group = '';
    this.detail = undefined;
  }

  protected async load(): Promise<void> {
    this.detail = await api.get<GroupDetail>(`groups/${segment(this.group)}`);
  }

  async #reset(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const topic = String(data.get('topic') ?? '');
    const timestampMs = fromLocalInput(String(data.get('time') ?? ''));
    if (timestampMs === undefined) {
      this.error = 'Choose the time to reset to.';
      return;
    }
    const confirmed = await confirmAction(
      `Reset the offsets of ${this.group} on ${topic} to ${formatTime(timestampMs)}? ` +
        "Messages after that time are consumed again; stop the group's consumers first or they overwrite the reset.",
      'Reset offsets',
    );
    if (!confirmed) return;
    await this.run(async () => {
      const result = await api.post<OffsetResets>(`groups/${segment(this.group)}/reset-offset`, {
        topic,
        timestampMs,
        confirm: true,
      });
      this.notice = `Reset ${result.resets.length} queues of ${topic}.`;
      await this.load();
    });
  }

  override render() {
    const detail = this.detail;
    const topics = [
      ...new Set([
        ...(detail?.queues ?? []).map((q) => q.topic),
        ...(detail?.subscriptions ?? []).map((s) => s.topic),
      ]),
    ];
    return html`${this.banners()}
      <section class="card">
        <div class="toolbar">
          <h2>Group ${this.group}</h2>
          <span class="spacer"></span>
          <span>Total lag <strong data-total-lag>${formatCount(detail?.totalLag ?? null)}</strong></span>
          ${this.refreshButton()}
        </div>
        <h3>Members</h3>
        <div class="table-wrap">
          <table data-members>
            <thead>
              <tr>
                <th>Client id</th>
                <th>Client address</th>
                <th>Broker</th>
                <th>Language</th>
                <th class="num">Version</th>
              </tr>
            </thead>
            <tbody>
              ${(detail?.members ?? []).map(
                (m) =>
                  html`<tr>
                    <td>${m.clientId}</td>
                    <td>${m.clientAddr}</td>
                    <td>${m.brokerName}</td>
                    <td>${m.language}</td>
                    <td class="num">${m.version}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${detail !== undefined && detail.members.length === 0 ? html`<p class="muted">No member is online.</p>` : ''}
        <h3>Subscriptions</h3>
        <p>
          ${(detail?.subscriptions ?? []).map((s) => html`<span class="badge">${s.topic}: ${s.expression}</span> `)}
        </p>
        <h3>Lag per queue</h3>
        <div class="table-wrap">
          <table data-lag-table>
            <thead>
              <tr>
                <th>Topic</th>
                <th>Broker</th>
                <th class="num">Queue</th>
                <th class="num">Broker offset</th>
                <th class="num">Consumer offset</th>
                <th class="num">Lag</th>
                <th>Last consumed</th>
              </tr>
            </thead>
            <tbody>
              ${(detail?.queues ?? []).map(
                (q) =>
                  html`<tr>
                    <td>${q.topic}</td>
                    <td>${q.brokerName}</td>
                    <td class="num">${q.queueId}</td>
                    <td class="num">${q.brokerOffset}</td>
                    <td class="num">${q.consumerOffset}</td>
                    <td class="num">${q.lag}</td>
                    <td>${formatTime(q.lastTimestamp)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card">
        <h2>Reset offsets by time</h2>
        <form data-reset-offset @submit=${(e: SubmitEvent) => void this.#reset(e)}>
          <label
            >Topic
            <select name="topic" required>
              ${topics.map((t) => html`<option value=${t}>${t}</option>`)}
            </select></label
          >
          <label
            >To the first message stored at or after
            <input name="time" type="datetime-local" .value=${toLocalInput(now() - HOUR_MS)} required
          /></label>
          <button class="danger" type="submit" ?disabled=${this.busy || topics.length === 0}>Reset…</button>
        </form>
      </section>`;
  }
}
customElements.define('keel-group-detail-page', GroupDetailPage);
