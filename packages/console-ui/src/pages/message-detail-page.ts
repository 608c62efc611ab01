// One message: where it is stored, every property, the body as text, JSON or hex, and for each
// consumer group of its topic whether the group has consumed it.

import { html } from 'lit';
import { api, segment } from '../api/api-client';
import type { MessageLookup } from '../api/api-types';
import '../components/body-view';
import { PageElement } from '../components/page-element';
import { formatTime } from '../format';
import { href } from '../router';
import { sharedStyles } from '../shared-styles';

export class MessageDetailPage extends PageElement {
  static override properties = { msgId: { type: String }, topic: { type: String }, lookup: { state: true } };
  static override styles = [sharedStyles];

  declare msgId: string;
  declare topic: string;
  declare lookup: MessageLookup | undefined;

  constructor() {
    super();
    this.msgId = '';
    this.topic = '';
    this.lookup = undefined;
  }

  protected async load(): Promise<void> {
    const query = this.topic === '' ? '' : `?topic=${encodeURIComponent(this.topic)}`;
    this.lookup = await api.get<MessageLookup>(`messages/${segment(this.msgId)}${query}`);
  }

  override render() {
    return html`${this.banners()}
    ${(this.lookup?.messages ?? []).map(({ message: m, brokerName, consumption }) => {
      const row = (name: string, value: unknown) =>
        html`<tr>
          <th>${name}</th>
          <td class="wrap">${value}</td>
        </tr>`;
      return html`<section class="card" data-message-detail>
        <div class="toolbar">
          <h2>Message ${m.msgId}</h2>
          <span class="spacer"></span>
          ${this.refreshButton()}
        </div>
        <div class="table-wrap">
          <table data-message-fields>
            <tbody>
              ${row('Topic', html`<a href=${href('topics', m.topic)}>${m.topic}</a>`)}
              ${row('Offset message id', m.offsetMsgId)} ${row('Broker', brokerName ?? m.storeHost)}
              ${row('Queue / offset', `${m.queueId} / ${m.queueOffset}`)} ${row('Tag', m.tags ?? '')}
              ${row('Keys', m.keys.join(' '))}
              ${row('Born', `${formatTime(m.bornTimestamp)} from ${m.bornHost}`)}
              ${row('Stored', `${formatTime(m.storeTimestamp)} on ${m.storeHost}`)}
              ${row('Reconsume times', m.reconsumeTimes)}
            </tbody>
          </table>
        </div>
        <h3>Properties</h3>
        <div class="table-wrap">
          <table data-properties>
            <tbody>
              ${Object.entries(m.properties).map(([name, value]) => row(name, value))}
            </tbody>
          </table>
        </div>
        <h3>Body</h3>
        <keel-body-view .base64=${m.bodyBase64}></keel-body-view>
        <h3>Consumption</h3>
        <div class="table-wrap">
          <table data-consumption>
            <thead>
              <tr>
                <th>Group</th>
                <th>Status</th>
                <th class="num">Group offset</th>
              </tr>
            </thead>
            <tbody>
              ${consumption.map(
                (c) =>
                  html`<tr>
                    <td><a href=${href('groups', c.group)}>${c.group}</a></td>
                    <td>
                      <span class="badge ${c.consumed ? 'ok' : 'warn'}"
                        >${c.consumed ? 'consumed' : 'not consumed'}</span
                      >
                    </td>
                    <td class="num">${c.consumerOffset}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${consumption.length === 0 ? html`<p class="muted">No consumer group has consumed from this topic.</p>` : ''}
      </section>`;
    })}`;
  }
}
customElements.define('keel-message-detail-page', MessageDetailPage);
