// Topics: the list (retry, dead-letter and system topics hidden unless asked for) and a form that
// creates a topic, or updates its queue counts and permission.

import { html } from 'lit';
import { api } from '../api/api-client';
import type { TopicKind, TopicList } from '../api/api-types';
import { PageElement } from '../components/page-element';
import { href } from '../router';
import { sharedStyles } from '../shared-styles';

export class TopicsPage extends PageElement {
  static override properties = { topics: { state: true }, showAll: { state: true } };
  static override styles = [sharedStyles];

  declare topics: TopicList['topics'];
  declare showAll: boolean;

  constructor() {
    super();
    this.topics = [];
    this.showAll = false;
  }

  protected async load(): Promise<void> {
    this.topics = (await api.get<TopicList>('topics')).topics;
  }

  async #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const topic = String(data.get('topic') ?? '').trim();
    const queues = Number(data.get('queues'));
    const created = await this.run(
      () =>
        api.post('topics', {
          topic,
          readQueueNums: queues,
          writeQueueNums: queues,
          order: data.get('order') === 'on',
        }),
      `Topic ${topic} created (or updated) with ${queues} queues.`,
    );
    if (created) {
      form.reset();
      await this.run(() => this.load());
    }
  }

  override render() {
    const shown = this.topics.filter((t) => this.showAll || t.kind === 'normal');
    return html`${this.banners()}
      <section class="card">
        <h2>Create or update a topic</h2>
        <form data-create-topic @submit=${(e: SubmitEvent) => void this.#create(e)}>
          <label
            >Topic <input name="topic" required pattern="[A-Za-z0-9_|\\-]{1,127}" placeholder="OrderEvents"
          /></label>
          <label>Queues <input name="queues" type="number" min="1" max="1024" value="4" required /></label>
          <label><span>Ordered</span><input name="order" type="checkbox" /></label>
          <button type="submit" ?disabled=${this.busy}>Create / update</button>
        </form>
      </section>
      <section class="card">
        <div class="toolbar">
          <h2>Topics</h2>
          <span class="spacer"></span>
          <label
            ><span>Retry, dead-letter and system topics</span
            ><input
              type="checkbox"
              .checked=${this.showAll}
              @change=${(e: Event) => (this.showAll = (e.target as HTMLInputElement).checked)}
          /></label>
          ${this.refreshButton()}
        </div>
        <div class="table-wrap">
          <table data-topics>
            <thead>
              <tr>
                <th>Topic</th>
                <th>Kind</th>
              </tr>
            </thead>
            <tbody>
              ${shown.map(
                (t) =>
                  html`<tr>
                    <td><a href=${href('topics', t.name)}>${t.name}</a></td>
                    <td><span class="badge">${kindLabel(t.kind)}</span></td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>`;
  }
}
customElements.define('keel-topics-page', TopicsPage);

function kindLabel(kind: TopicKind): string {
  return { normal: 'topic', retry: 'retry', dlq: 'dead letters', system: 'system' }[kind];
}
