// Open transactions: half messages waiting for their producer (PREPARED) and those the broker gave
// up checking (PARKED), each committed or rolled back after confirmation.

import { css, html } from 'lit';
import { api, segment } from '../api/api-client';
import type { OpenTransaction, TransactionList } from '../api/api-types';
import { confirmAction } from '../components/confirm-dialog';
import { PageElement } from '../components/page-element';
import { formatDuration, formatTime } from '../format';
import { sharedStyles } from '../shared-styles';

export class TransactionsPage extends PageElement {
  static override properties = { list: { state: true } };
  static override styles = [
    sharedStyles,
    css`
      td.actions {
        display: flex;
        gap: 0.4rem;
      }
      td.wrap {
        min-width: 12rem;
      }
    `,
  ];

  declare list: TransactionList | undefined;

  constructor() {
    super();
    this.list = undefined;
  }

  protected async load(): Promise<void> {
    this.list = await api.get<TransactionList>('transactions');
  }

  async #resolve(tx: OpenTransaction, action: 'commit' | 'rollback'): Promise<void> {
    const what =
      action === 'commit'
        ? `Commit transaction ${tx.msgId}? Its message is delivered to ${tx.topic}.`
        : `Roll back transaction ${tx.msgId}? Its message to ${tx.topic} is dropped.`;
    if (!(await confirmAction(what, action === 'commit' ? 'Commit' : 'Roll back'))) return;
    const done = await this.run(
      () => api.post(`transactions/${segment(tx.msgId)}/${action}`, { confirm: true, broker: tx.brokerName }),
      `Transaction ${tx.msgId} ${action === 'commit' ? 'committed' : 'rolled back'}.`,
    );
    if (done) await this.run(() => this.load());
  }

  override render() {
    const transactions = this.list?.transactions ?? [];
    return html`${this.banners()}
      <section class="card">
        <div class="toolbar">
          <h2>Open transactions</h2>
          <span class="spacer"></span>
          ${this.refreshButton()}
        </div>
        ${(this.list?.truncated ?? []).map(
          (t) =>
            html`<p class="muted">
              ${t.brokerName} has ${t.total} open half messages; the oldest are shown.
            </p>`,
        )}
        <div class="table-wrap">
          <table data-transactions>
            <thead>
              <tr>
                <th>State</th>
                <th>Message id</th>
                <th>Topic</th>
                <th>Producer group</th>
                <th>Broker</th>
                <th class="num">Age</th>
                <th class="num">Checks</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${transactions.map(
                (tx) =>
                  html`<tr data-tx=${tx.msgId}>
                    <td><span class="badge ${tx.state === 'PARKED' ? 'bad' : 'warn'}">${tx.state}</span></td>
                    <td class="wrap">${tx.msgId}</td>
                    <td>${tx.topic}</td>
                    <td>${tx.producerGroup}</td>
                    <td>${tx.brokerName}</td>
                    <td class="num" title=${`stored ${formatTime(tx.storeTimestamp)}`}>
                      ${formatDuration(tx.ageMs)}
                    </td>
                    <td class="num">${tx.checkTimes}</td>
                    <td class="actions">
                      <button
                        data-commit
                        ?disabled=${this.busy}
                        @click=${() => void this.#resolve(tx, 'commit')}
                      >
                        Commit…
                      </button>
                      <button
                        class="danger"
                        data-rollback
                        ?disabled=${this.busy}
                        @click=${() => void this.#resolve(tx, 'rollback')}
                      >
                        Roll back…
                      </button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${this.list !== undefined && transactions.length === 0 ? html`<p class="muted">No open transaction.</p>` : ''}
      </section>`;
  }
}
customElements.define('keel-transactions-page', TransactionsPage);
