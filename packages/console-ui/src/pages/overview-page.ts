// Overview: every broker (role, version, disk, replication lag when reported, pending work) and the
// messages in/out per second sampled by the console, refreshed every few seconds.

import { html } from 'lit';
import { api } from '../api/api-client';
import type { Overview, Throughput } from '../api/api-types';
import '../components/throughput-chart';
import { PageElement } from '../components/page-element';
import { formatBytes, formatCount, formatRatio, formatTime } from '../format';
import { sharedStyles } from '../shared-styles';

const REFRESH_MS = 5000;

export class OverviewPage extends PageElement {
  static override properties = { overview: { state: true }, throughput: { state: true } };
  static override styles = [sharedStyles];

  declare overview: Overview | undefined;
  declare throughput: Throughput | undefined;
  #timer: number | undefined;

  constructor() {
    super();
    this.overview = undefined;
    this.throughput = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#timer = window.setInterval(() => void this.run(() => this.load()), REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.#timer);
  }

  protected async load(): Promise<void> {
    const [overview, throughput] = await Promise.all([
      api.get<Overview>('overview'),
      api.get<Throughput>('throughput'),
    ]);
    this.overview = overview;
    this.throughput = throughput;
  }

  override render() {
    const brokers = this.overview?.brokers ?? [];
    return html`${this.banners()}
      <section class="card">
        <div class="toolbar">
          <h2>Brokers</h2>
          <span class="spacer"></span>
          <span class="muted">name servers: ${this.overview?.nameServers.join('; ') ?? '…'}</span>
          ${this.refreshButton()}
        </div>
        <div class="table-wrap">
          <table data-brokers>
            <thead>
              <tr>
                <th>Cluster</th>
                <th>Broker</th>
                <th>Role</th>
                <th>Address</th>
                <th>Version</th>
                <th class="num">Disk used</th>
                <th class="num">Replication lag</th>
                <th class="num">Put total</th>
                <th class="num">Get total</th>
                <th class="num">Half messages pending / parked</th>
                <th class="num">Delayed / timed pending</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              ${brokers.map(
                (b) =>
                  html`<tr>
                    <td>${b.cluster}</td>
                    <td>${b.brokerName}</td>
                    <td><span class="badge ${b.role === 'MASTER' ? 'ok' : ''}">${b.role}</span></td>
                    <td>${b.address}</td>
                    <td>
                      ${b.error === null ? (b.version ?? '—') : html`<span class="badge bad" title=${b.error}>unreachable</span>`}
                    </td>
                    <td class="num">${formatRatio(b.diskUsedRatio)}</td>
                    <td class="num">${formatBytes(b.replicationLagBytes)}</td>
                    <td class="num">${formatCount(b.putTotal)}</td>
                    <td class="num">${formatCount(b.getTotal)}</td>
                    <td class="num">${formatCount(b.halfPending)} / ${formatCount(b.halfParked)}</td>
                    <td class="num">${formatCount(b.delayedPending)} / ${formatCount(b.timedPending)}</td>
                    <td>${formatTime(b.bootTimestamp)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${
          brokers.length === 0 && this.overview !== undefined
            ? html`<p class="muted">No broker is registered with the name servers.</p>`
            : ''
        }
      </section>
      <section class="card">
        <h2>Messages per second</h2>
        <p class="muted">
          Sampled every ${((this.throughput?.intervalMs ?? 0) / 1000).toFixed(0)} s by this console since it
          started.
        </p>
        <keel-throughput-chart .samples=${this.throughput?.samples ?? []}></keel-throughput-chart>
      </section>`;
  }
}
customElements.define('keel-overview-page', OverviewPage);
