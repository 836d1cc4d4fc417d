// The demo page: start, check, resend and cancel through the phoneproof router at /api.
// Plain browser JavaScript, no build step.
const $ = (id) => document.getElementById(id);
const state = { id: null, to: null, resendAt: 0, timer: null };

function duration(seconds) {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

// What a person should read for each error code (the server's message is the fallback).
function explain(error) {
  const wait = error.retryAfter ? duration(error.retryAfter) : 'a moment';
  switch (error.code) {
    case 'invalid_phone':
      return 'That does not look like a mobile number. Check it and include the country code.';
    case 'country_not_allowed':
      return 'Numbers from this country cannot be verified here.';
    case 'consent_required':
      return 'Please tick the box to agree to receive the code.';
    case 'opted_out':
      return 'This number has opted out of our messages. Reply START to our last message to opt back in.';
    case 'code_mismatch':
      return error.attemptsLeft > 0
        ? `That code is not right. ${error.attemptsLeft} attempt${error.attemptsLeft === 1 ? '' : 's'} left.`
        : 'That code is not right.';
    case 'max_attempts_reached':
      return 'Too many wrong codes. Send a new code to try again.';
    case 'expired':
      return 'This code has expired. Send a new one.';
    case 'not_found':
      return 'This verification is no longer active. Start again with your number.';
    case 'resend_too_soon':
      return `You can ask for a new code in ${wait}.`;
    case 'send_limit_reached':
      return `Too many codes were sent to this number. Try again in ${wait}.`;
    case 'locked':
      return `Too many failed attempts. This number is locked for ${wait}.`;
    case 'delivery_failed':
      return 'We could not deliver the code to this number. Check it, or try again later.';
    case 'store_unavailable':
      return 'The service is busy. Please try again in a moment.';
    default:
      return error.message || 'Something went wrong. Please try again.';
  }
}

async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/api${path}`, init);
  } catch {
    return {
      ok: false,
      error: { code: 'network', message: 'No connection. Check your network and try again.' },
    };
  }
  const data = await res.json().catch(() => ({}));
  return res.ok
    ? { ok: true, data }
    : { ok: false, error: data.error || { code: 'unknown', message: `Error ${res.status}` } };
}

function show(id, text) {
  const el = $(id);
  el.textContent = text || '';
  el.hidden = !text;
}

function step(name) {
  $('start-form').hidden = name !== 'start';
  $('check-form').hidden = name !== 'check';
  $('done').hidden = name !== 'done';
  if (name === 'start') $('phone').focus();
  if (name === 'check') $('code').focus();
}

function countdown(seconds) {
  state.resendAt = Date.now() + seconds * 1000;
  clearInterval(state.timer);
  const tick = () => {
    const left = Math.ceil((state.resendAt - Date.now()) / 1000);
    $('resend').disabled = left > 0;
    $('resend-note').textContent = left > 0 ? `You can resend the code in ${left} s.` : '';
    if (left <= 0) clearInterval(state.timer);
  };
  tick();
  state.timer = setInterval(tick, 250);
}

function started(data) {
  state.id = data.id;
  state.to = data.to;
  $('masked').textContent = data.to;
  $('code').value = '';
  show('check-error', '');
  show('attempts', '');
  countdown(data.resendIn);
  step('check');
}

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

let consent = null;
api('GET', '/consent').then((r) => {
  if (r.ok) {
    consent = r.data;
    $('consent-text').textContent = consent.text;
  }
});

$('start-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const phone = $('phone').value.trim();
  if (!phone) return show('start-error', 'Enter your mobile number.');
  if (!$('consent').checked) return show('start-error', explain({ code: 'consent_required' }));
  show('start-error', '');
  return busy($('send'), async () => {
    const body = {
      phone,
      consent: { text: consent?.text, version: consent?.version, source: 'demo_page' },
    };
    const r = await api('POST', '/verifications', body);
    if (r.ok) started(r.data);
    else show('start-error', explain(r.error));
  });
});

$('check-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const code = $('code').value.trim();
  if (!code) return show('check-error', 'Enter the code we sent you.');
  return busy($('verify'), async () => {
    const r = await api('POST', `/verifications/${encodeURIComponent(state.id)}/check`, { code });
    if (r.ok) {
      clearInterval(state.timer);
      $('verified').textContent = r.data.to;
      step('done');
      return;
    }
    show('check-error', explain(r.error));
    show('attempts', '');
    if (r.error.code === 'code_mismatch') $('code').select();
  });
});

$('resend').addEventListener('click', async () => {
  $('resend').disabled = true;
  const r = await api('POST', `/verifications/${encodeURIComponent(state.id)}/resend`, {});
  if (r.ok) {
    started(r.data);
    show('attempts', 'We sent a new code. The previous one no longer works.');
  } else {
    show('check-error', explain(r.error));
    countdown(r.error.retryAfter || 0);
  }
});

$('change').addEventListener('click', async () => {
  clearInterval(state.timer);
  if (state.id) await api('DELETE', `/verifications/${encodeURIComponent(state.id)}`);
  state.id = null;
  step('start');
});

$('again').addEventListener('click', () => {
  $('phone').value = '';
  state.id = null;
  step('start');
});
