// The reference for bench/web.sh: what a page without windowing does, the
// whole library fetched and every card (title and poster) put in the DOM.
const params = new URLSearchParams(location.search);
const library = params.get("library");
// The bench hands it a token of its own (a sign-in without cookies), so that
// it never rotates the app's refresh cookie.
const access_token = new URLSearchParams(location.hash.slice(1)).get("token");
const grid = document.getElementById("grid");
let cursor = null;
do {
  const q = new URLSearchParams({ library, type: "movie", sort: "title", limit: "200" });
  if (cursor) q.set("cursor", cursor);
  const page = await (await fetch("/api/v1/media?" + q, { headers: { Authorization: "Bearer " + access_token } })).json();
  const frag = document.createDocumentFragment();
  for (const item of page.items) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "/media/" + item.id;
    const img = document.createElement("img");
    img.src = `/api/v1/media/${item.id}/images/poster?w=320`;
    img.alt = "";
    img.loading = "lazy";
    const title = document.createElement("span");
    title.textContent = item.title;
    a.append(img, title);
    li.append(a);
    frag.append(li);
  }
  grid.append(frag);
  cursor = page.next_cursor;
} while (cursor);
document.body.dataset.done = "1";
