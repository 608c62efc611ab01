// What every page has: data loaded from the API, an error banner with the server's message, and a
// notice after an action. `run` wraps each API call so no failure goes unshown.

import { html, LitElement, nothing, type PropertyDeclarations } from 'lit';
import { ApiError } from '../api/api-client';

export abstract class PageElement extends LitElement {
  // Typed as the base type so pages can declare their own (Lit merges them with these).
  static override properties: PropertyDeclarations = {
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  declare error: string | undefined;
  declare notice: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.error = undefined;
    this.notice = undefined;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.run(() => this.load());
  }

  /** Reads the page's data; called when the page is shown and by its Refresh button. */
  protected abstract load(): Promise<void>;

  /** Runs an API task: shows its error, or `notice` when it succeeds. Resolves false on failure. */
  protected async run(task: () => Promise<unknown>, notice?: string): Promise<boolean> {
    this.busy = true;
    this.error = undefined;
    try {
      await task();
      if (notice !== undefined) this.notice = notice;
      return true;
    } catch (error) {
      this.notice = undefined;
      this.error = error instanceof ApiError ? error.message : `unexpected failure: ${String(error)}`;
      if (!(error instanceof ApiError)) console.error(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  protected refresh(): Promise<boolean> {
    return this.run(() => this.load());
  }

  protected banners() {
    return html`${this.error === undefined ? nothing : html`<div class="error" role="alert">${this.error}</div>`}
    ${this.notice === undefined ? nothing : html`<div class="notice" role="status">${this.notice}</div>`}`;
  }

  protected refreshButton() {
    return html`<button class="secondary" data-refresh ?disabled=${this.busy} @click=${() => this.refresh()}>
      Refresh
    </button>`;
  }
}
