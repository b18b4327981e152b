// Show the snippet with this server's own address.
document.getElementById('snippet').textContent =
  `<script src="${location.origin}/widget.js" data-queue="ill" async></` + 'script>';
