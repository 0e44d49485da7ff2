/* global document, window */
// Browser code for the example sites. procScript's inline <script> has defined the global `proc`
// ({ test: { group, value, payload } }); this module reads it and changes the page.
const { buttoncolortst, buttontexttst, headlinetst } = window.proc ?? {};

const button = document.getElementById('cta');
button.dataset.jsGroup = buttoncolortst?.group ?? 'unassigned';
// A payload is data: it goes into the page as text (textContent), never as HTML.
document.getElementById('js-headline').textContent = headlinetst?.payload ?? '';
document.getElementById('js-status').textContent =
  `JavaScript sees buttoncolortst = ${buttoncolortst?.group ?? 'unassigned'}, button text “${buttontexttst?.payload ?? 'Sign Up'}”.`;
