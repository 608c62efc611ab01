// Messages in and out per second over time, as the console server sampled them (Chart.js; only the
// parts a line chart needs are registered, so the bundle stays small).

import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { css, html, LitElement, type PropertyValues } from 'lit';
import type { ThroughputSample } from '../api/api-types';

Chart.register(
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

export class ThroughputChart extends LitElement {
  static override properties = { samples: { attribute: false } };
  static override styles = css`
    :host {
      display: block;
      position: relative;
      height: 220px;
    }
  `;

  declare samples: readonly ThroughputSample[];
  #chart: Chart<'line', number[], string> | undefined;

  constructor() {
    super();
    this.samples = [];
  }

  override render() {
    return html`<canvas aria-label="messages in and out per second"></canvas>`;
  }

  protected override firstUpdated(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (canvas === null) return;
    this.#chart = new Chart(canvas, {
      type: 'line',
      data: {
        labels: [],
        datasets: [
          {
            label: 'in / s',
            data: [],
            borderColor: '#2f6fb5',
            backgroundColor: 'rgba(47,111,181,0.12)',
            fill: true,
          },
          {
            label: 'out / s',
            data: [],
            borderColor: '#2f9e5a',
            backgroundColor: 'rgba(47,158,90,0.10)',
            fill: true,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        elements: { point: { radius: 0 }, line: { tension: 0, borderWidth: 2 } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 8 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    this.#draw();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('samples')) this.#draw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#chart?.destroy();
    this.#chart = undefined;
  }

  #draw(): void {
    const chart = this.#chart;
    if (chart === undefined) return;
    chart.data.labels = this.samples.map((s) => new Date(s.atMs).toLocaleTimeString('en-GB'));
    const [inbound, outbound] = chart.data.datasets;
    if (inbound !== undefined) inbound.data = this.samples.map((s) => round(s.inPerSec));
    if (outbound !== undefined) outbound.data = this.samples.map((s) => round(s.outPerSec));
    chart.update();
  }
}
customElements.define('keel-throughput-chart', ThroughputChart);

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
