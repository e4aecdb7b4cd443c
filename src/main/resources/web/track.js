// The tracking page: renders the order, then follows its live feed, reconnecting by itself and resuming
// from the last event it saw, so nothing is missed or shown twice.
(function () {
  'use strict';

  const orderId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
  const params = new URLSearchParams(location.search);
  // the token may come in the link; keep it for this tab only and take it out of the address bar
  let token = params.get('access_token') || sessionStorage.getItem('oms-token-' + orderId);
  if (params.has('access_token')) {
    sessionStorage.setItem('oms-token-' + orderId, token);
    params.delete('access_token');
    history.replaceState(null, '', location.pathname + (params.toString() ? '?' + params : ''));
  }

  const $ = (id) => document.getElementById(id);
  const LABELS = {
    CREATED: 'Order received', PAYMENT_PENDING: 'Waiting for payment', PAYMENT_SUCCESS: 'Payment received',
    INVENTORY_RESERVED: 'Items set aside', DELIVERY_PARTNER_ASSIGNED: 'Delivery partner assigned',
    PICKED_UP: 'Picked up', DELIVERED: 'Delivered', CANCELLED: 'Cancelled', FAILED: 'Could not be completed'
  };
  const FINAL = ['DELIVERED', 'CANCELLED', 'FAILED'];
  let lastSeq = null;
  let order = null;
  let retry = 0;
  let socket = null;

  $('order-id').textContent = orderId;

  function money(m) {
    if (!m) { return '—'; }
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(m.amount / 100);
    } catch (e) {
      return m.currency + ' ' + (m.amount / 100).toFixed(2);
    }
  }

  function when(iso) {
    const time = document.createElement('time');
    time.dateTime = iso;
    time.textContent = new Date(iso).toLocaleString();
    return time;
  }

  function setConnection(text, state) {
    const el = $('connection');
    el.textContent = text;
    el.className = 'connection ' + (state || '');
  }

  function showStatus(status) {
    $('status').textContent = LABELS[status] || status;
    $('status').dataset.status = status;
  }

  function addStep(to, at, reason) {
    const item = document.createElement('li');
    item.dataset.status = to;
    if (to === 'CANCELLED' || to === 'FAILED') { item.className = 'bad'; }
    const label = document.createElement('span');
    label.textContent = LABELS[to] || to;
    item.append(label, when(at));
    // a reason worth showing: why it ended, or why it waits for a new partner
    if (reason && (to === 'CANCELLED' || to === 'FAILED' || (to === 'INVENTORY_RESERVED' && /partner|pickup/.test(reason)))) {
      const why = document.createElement('span');
      why.className = 'why';
      why.textContent = reason;
      item.append(why);
    }
    $('timeline').append(item);
  }

  function renderOrder(o) {
    order = o;
    showStatus(o.status);
    const items = $('items');
    items.replaceChildren();
    (o.items || []).forEach((line) => {
      const row = document.createElement('tr');
      [line.sku, String(line.quantity), money(line.lineTotal)].forEach((text) => {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      });
      items.append(row);
    });
    $('total').textContent = money(o.total);
    const d = o.delivery || {};
    $('partner').textContent = d.partnerId || 'not assigned yet';
    $('pickup').textContent = d.pickupAt ? new Date(d.pickupAt).toLocaleString() : 'as soon as it is ready';
    $('address').textContent = d.address || '—';
  }

  function loadHistory() {
    return fetch('/v1/orders/' + encodeURIComponent(orderId) + '/events', { headers: { Authorization: 'Bearer ' + token } })
      .then((r) => r.ok ? r.json() : { events: [] })
      .then((body) => {
        $('timeline').replaceChildren();
        body.events.forEach((e) => addStep(e.to, e.at, e.reason));
      });
  }

  function moveDot(lat, lon) {
    const d = order && order.delivery;
    if (!d || !d.pickupLocation || !d.location) { return; }
    const from = d.pickupLocation, to = d.location;
    const total = Math.hypot(to.lat - from.lat, to.lon - from.lon) || 1;
    const done = Math.hypot(lat - from.lat, lon - from.lon);
    const share = Math.max(0, Math.min(1, done / total));
    const dot = $('partner-dot');
    dot.removeAttribute('hidden');
    dot.setAttribute('cx', String(20 + share * 260));
    const km = Math.hypot(to.lat - lat, (to.lon - lon) * Math.cos(lat * Math.PI / 180)) * 111;
    $('distance').textContent = 'Your partner is about ' + km.toFixed(1) + ' km away.';
  }

  function onMessage(event) {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case 'snapshot':
        lastSeq = message.seq;
        renderOrder(message.order);
        loadHistory();
        break;
      case 'status':
        if (lastSeq !== null && message.seq <= lastSeq) { return; }
        lastSeq = message.seq;
        showStatus(message.to);
        addStep(message.to, message.at, message.reason);
        if (order) {
          order.status = message.to;
          if (message.to === 'DELIVERY_PARTNER_ASSIGNED') {
            const partner = (message.reason || '').replace(/^partner (\S+) assigned$/, '$1');
            $('partner').textContent = partner;
          }
          if (message.to === 'INVENTORY_RESERVED') { $('partner').textContent = 'finding a new partner'; }
        }
        break;
      case 'location':
        moveDot(message.lat, message.lon);
        break;
      case 'notice':
        $('notice').textContent = message.message;
        $('notice').hidden = false;
        break;
      default:
        break;
    }
  }

  function connect() {
    if (!token) {
      setConnection('Sign in needed: open this page from your order link', 'down');
      return;
    }
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    let url = scheme + location.host + '/v1/orders/' + encodeURIComponent(orderId) + '/track?access_token='
      + encodeURIComponent(token);
    if (lastSeq !== null) { url += '&after=' + lastSeq; }
    socket = new WebSocket(url);
    socket.onopen = () => { retry = 0; setConnection('Live', 'live'); };
    socket.onmessage = onMessage;
    socket.onclose = (event) => {
      if (event.code === 1008) {
        setConnection('Not allowed: ' + (event.reason || 'check your link'), 'down');
        return;
      }
      if (order && FINAL.includes(order.status) && event.code === 1000) { setConnection('Finished'); return; }
      retry = Math.min(retry + 1, 6);
      const wait = Math.min(10000, 250 * Math.pow(2, retry));
      setConnection('Reconnecting…', 'down');
      setTimeout(connect, wait);
    };
  }

  // for tests and support: close the connection as a network failure would
  window.omsTracking = { drop: () => socket && socket.close(), lastSeq: () => lastSeq };
  connect();
}());
