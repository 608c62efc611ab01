// Asks for the console's token when the API answers 401 (a console started with --token).

import { html, LitElement } from 'lit';
import { setToken } from '../api/api-client';
import { sharedStyles } from '../shared-styles';

export class TokenPrompt extends LitElement {
  static override styles = [sharedStyles];

  #submit(event: SubmitEvent): void {
    event.preventDefault();
    const token = String(new FormData(event.target as HTMLFormElement).get('token') ?? '');
    setToken(token);
    this.dispatchEvent(new Event('token-set', { bubbles: true, composed: true }));
  }

  override render() {
    return html`<section class="card">
      <h2>This console needs its token</h2>
      <p class="muted">
        It was started with <code>--token</code>; the token is kept for this browser tab only.
      </p>
      <form @submit=${(e: SubmitEvent) => this.#submit(e)}>
        <label>Token <input name="token" type="password" required autocomplete="off" /></label>
        <button type="submit">Continue</button>
      </form>
    </section>`;
  }
}
customElements.define('keel-token-prompt', TokenPrompt);
