// Dead letters: the groups that have any, and one group's letters, each resendable to the group's
// retry topic; "Resend all" asks for confirmation.

import { html } from 'lit';
import { api, segment } from '../api/api-client';
import type { DeadLetterGroups, DeadLetters, ResentDeadLetters } from '../api/api-types';
import { confirmAction } from '../components/confirm-dialog';
import { PageElement } from '../components/page-element';
import { formatTime } from '../format';
import { href } from '../router';
import { sharedStyles } from '../shared-styles';

export class DlqPage extends PageElement {
  static override properties = { group: { type: String }, groups: { state: true }, letters: { state: true } };
  static override styles = [sharedStyles];

  declare group: string;
  declare groups: DeadLetterGroups['groups'];
  declare letters: DeadLetters['letters'] | undefined;

  constructor() {
    super();
    this.group = '';
    this.groups = [];
    this.letters = undefined;
  }

  protected async load(): Promise<void> {
    this.groups = (await api.get<DeadLetterGroups>('dlq')).groups;
    this.letters =
      this.group === '' ? undefined : (await api.get<DeadLetters>(`dlq/${segment(this.group)}`)).letters;
  }

  async #resend(body: { msgId: string } | { all: true; confirm: true }): Promise<void> {
    await this.run(async () => {
      const result = await api.post<ResentDeadLetters>(`dlq/${segment(this.group)}/resend`, body);
      this.notice = `Resent ${result.resent.length} message(s) to %RETRY%${this.group}.`;
    });
  }

  async #resendAll(): Promise<void> {
    const count = this.letters?.length ?? 0;
    if (
      await confirmAction(`Resend all ${count} dead letters of ${this.group} to its consumers?`, 'Resend all')
    )
      await this.#resend({ all: true, confirm: true });
  }

  override render() {
    return html`${this.banners()}
      <section class="card">
        <div class="toolbar">
          <h2>Groups with dead letters</h2>
          <span class="spacer"></span>
          ${this.refreshButton()}
        </div>
        <div class="table-wrap">
          <table data-dlq-groups>
            <thead>
              <tr>
                <th>Group</th>
                <th class="num">Dead letters</th>
              </tr>
            </thead>
            <tbody>
              ${this.groups.map(
                (g) =>
                  html`<tr>
                    <td><a href=${href('dlq', g.group)}>${g.group}</a></td>
                    <td class="num">${g.count}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${this.groups.length === 0 ? html`<p class="muted">No group has dead letters.</p>` : ''}
      </section>
      ${
        this.letters === undefined
          ? ''
          : html`<section class="card">
              <div class="toolbar">
                <h2>Dead letters of ${this.group}</h2>
                <span class="spacer"></span>
                <button
                  class="danger"
                  data-resend-all
                  ?disabled=${this.busy || this.letters.length === 0}
                  @click=${() => void this.#resendAll()}
                >
                  Resend all…
                </button>
              </div>
              <div class="table-wrap">
                <table data-letters>
                  <thead>
                    <tr>
                      <th>Message id</th>
                      <th>Original topic</th>
                      <th>Keys</th>
                      <th>Dead since</th>
                      <th class="num">Attempts</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.letters.map(
                      (l) =>
                        html`<tr data-letter=${l.msgId}>
                          <td><a href=${href('messages', l.offsetMsgId)}>${l.msgId}</a></td>
                          <td>${l.originalTopic}</td>
                          <td>${l.keys.join(' ')}</td>
                          <td>${formatTime(l.storeTimestamp)}</td>
                          <td class="num">${l.reconsumeTimes}</td>
                          <td>
                            <button
                              class="secondary"
                              data-resend
                              ?disabled=${this.busy}
                              @click=${() => void this.#resend({ msgId: l.msgId })}
                            >
                              Resend
                            </button>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
            </section>`
      }`;
  }
}
customElements.define('keel-dlq-page', DlqPage);
