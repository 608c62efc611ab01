// The console's shell: the header, the navigation (a side bar on a wide screen, a strip under the
// header on a phone) and the page the URL's hash names.

import { css, html, LitElement } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { UNAUTHORIZED_EVENT } from '../api/api-client';
import '../pages/dlq-page';
import '../pages/group-detail-page';
import '../pages/groups-page';
import '../pages/message-detail-page';
import '../pages/messages-page';
import '../pages/overview-page';
import '../pages/topic-detail-page';
import '../pages/topics-page';
import '../pages/transactions-page';
import { href, parseHash, type PageName, type Route } from '../router';
import './token-prompt';

const NAV: ReadonlyArray<readonly [PageName, string]> = [
  ['overview', 'Overview'],
  ['topics', 'Topics'],
  ['groups', 'Consumer groups'],
  ['messages', 'Messages'],
  ['dlq', 'Dead letters'],
  ['transactions', 'Transactions'],
];

export class KeelApp extends LitElement {
  static override properties = { route: { state: true }, needsToken: { state: true } };
  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: 12rem 1fr;
      grid-template-rows: auto 1fr;
      min-height: 100vh;
    }
    header {
      grid-column: 1 / -1;
      display: flex;
      align-items: center;
      gap: 0.75rem;
      padding: 0.6rem 1rem;
      background: #17324d;
      color: #fff;
    }
    header h1 {
      font-size: 1.1rem;
      margin: 0;
    }
    nav {
      display: flex;
      flex-direction: column;
      padding: 0.75rem 0.5rem;
      gap: 0.15rem;
      background: #fff;
      border-right: 1px solid #dde3ea;
    }
    nav a {
      padding: 0.45rem 0.7rem;
      border-radius: 6px;
      color: #1d2733;
      text-decoration: none;
      white-space: nowrap;
    }
    nav a[aria-current='page'] {
      background: #e3edf8;
      color: #17324d;
      font-weight: 600;
    }
    main {
      padding: 1rem;
      min-width: 0;
    }
    @media (max-width: 760px) {
      :host {
        grid-template-columns: 1fr;
        grid-template-rows: auto auto 1fr;
      }
      nav {
        flex-direction: row;
        overflow-x: auto;
        border-right: none;
        border-bottom: 1px solid #dde3ea;
        padding: 0.4rem;
      }
      main {
        padding: 0.6rem;
      }
    }
  `;

  declare route: Route;
  declare needsToken: boolean;
  readonly #onHash = () => {
    this.route = parseHash(window.location.hash);
  };
  readonly #onUnauthorized = () => {
    this.needsToken = true;
  };

  constructor() {
    super();
    this.route = parseHash(window.location.hash);
    this.needsToken = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.#onHash);
    window.addEventListener(UNAUTHORIZED_EVENT, this.#onUnauthorized);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.#onHash);
    window.removeEventListener(UNAUTHORIZED_EVENT, this.#onUnauthorized);
  }

  override render() {
    return html`<header>
        <h1>Keel console</h1>
      </header>
      <nav>
        ${NAV.map(
          ([page, label]) =>
            html`<a href=${href(page)} aria-current=${this.route.page === page ? 'page' : 'false'}
              >${label}</a
            >`,
        )}
      </nav>
      <main>
        ${
          this.needsToken
            ? html`<keel-token-prompt @token-set=${() => (this.needsToken = false)}></keel-token-prompt>`
            : keyed(`${window.location.hash}`, this.#page())
        }
      </main>`;
  }

  #page() {
    const { page, item, query } = this.route;
    const topic = query.get('topic') ?? '';
    switch (page) {
      case 'overview':
        return html`<keel-overview-page></keel-overview-page>`;
      case 'topics':
        return item === undefined
          ? html`<keel-topics-page></keel-topics-page>`
          : html`<keel-topic-detail-page .topic=${item}></keel-topic-detail-page>`;
      case 'groups':
        return item === undefined
          ? html`<keel-groups-page></keel-groups-page>`
          : html`<keel-group-detail-page .group=${item}></keel-group-detail-page>`;
      case 'messages':
        return item === undefined
          ? html`<keel-messages-page .topic=${topic}></keel-messages-page>`
          : html`<keel-message-detail-page .msgId=${item} .topic=${topic}></keel-message-detail-page>`;
      case 'dlq':
        return html`<keel-dlq-page .group=${item ?? ''}></keel-dlq-page>`;
      case 'transactions':
        return html`<keel-transactions-page></keel-transactions-page>`;
    }
  }
}
customElements.define('keel-app', KeelApp);
