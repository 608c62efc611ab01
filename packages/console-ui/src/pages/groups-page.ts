// Consumer groups: every group that has consumed, with its online members and total lag.

import { html } from 'lit';
import { api } from '../api/api-client';
import type { GroupSummary } from '../api/api-types';
import { PageElement } from '../components/page-element';
import { formatCount } from '../format';
import { href } from '../router';
import { sharedStyles } from '../shared-styles';

export class GroupsPage extends PageElement {
  static override properties = { groups: { state: true } };
  static override styles = [sharedStyles];

  declare groups: readonly GroupSummary[];

  constructor() {
    super();
    this.groups = [];
  }

  protected async load(): Promise<void> {
    this.groups = (await api.get<{ groups: GroupSummary[] }>('groups')).groups;
  }

  override render() {
    return html`${this.banners()}
      <section class="card">
        <div class="toolbar">
          <h2>Consumer groups</h2>
          <span class="spacer"></span>
          ${this.refreshButton()}
        </div>
        <div class="table-wrap">
          <table data-groups>
            <thead>
              <tr>
                <th>Group</th>
                <th>Model</th>
                <th class="num">Members online</th>
                <th class="num">Lag</th>
                <th>Topics</th>
              </tr>
            </thead>
            <tbody>
              ${this.groups.map(
                (g) =>
                  html`<tr data-group=${g.name}>
                    <td><a href=${href('groups', g.name)}>${g.name}</a></td>
                    <td>${g.messageModel ?? '—'}</td>
                    <td class="num">${g.members}</td>
                    <td class="num" data-lag>${formatCount(g.totalLag)}</td>
                    <td class="wrap">${g.topics.join(', ')}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>`;
  }
}
customElements.define('keel-groups-page', GroupsPage);
