// The demo page's own script (a file, so the page runs under script-src 'self'): it writes
// this service's address into the snippet, offers to copy it, and lists the widgets' events.
document.addEventListener("DOMContentLoaded", function () {
  var snippet = document.getElementById("snippet");
  var script = new URL(snippet.dataset.script, location.href).href;
  snippet.textContent = snippet.textContent.replace('src="' + snippet.dataset.script + '"', 'src="' + script + '"');

  var copy = document.getElementById("copy");
  if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(snippet.textContent).then(function () {
        copy.textContent = copy.dataset.copied;
      });
    });
  }
});

document.addEventListener("twitchlore:reading", function (event) {
  var item = document.createElement("li");
  var urgency = event.detail.urgency || (event.detail.medical || {}).urgency;
  item.textContent = "#" + event.target.id + ": " + event.detail.reading_id + " (" + urgency + ")";
  document.getElementById("events").appendChild(item);
});
