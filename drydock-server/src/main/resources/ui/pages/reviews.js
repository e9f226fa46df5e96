// Placeholder: filled in by the page's own change.
import {heading} from '../ui.js';

export async function render(main, ctx) {
  heading(main, 'reviews');
}
