/** The one stylesheet: readable on a phone, no external fonts or images. */
export const STYLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2327;background:#f3f5f7}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.7rem 1rem;background:#14532d;color:#fff}
header a{color:#fff;text-decoration:none}
header .brand{font-weight:700}
header nav{display:flex;flex-wrap:wrap;gap:.8rem;align-items:center}
header form{margin:0;display:inline}
header .who{font-size:.85rem;opacity:.9}
header button{background:transparent;color:#fff;border-color:#fff;padding:.25rem .6rem}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:0 0 .5rem}
section,.card{background:#fff;border:1px solid #d8dee4;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.narrow{max-width:28rem;margin:2rem auto}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr))}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
label.check{display:flex;gap:.4rem;align-items:center;font-weight:400}
pre{white-space:pre-wrap;overflow-wrap:anywhere}
input[type=email],input[type=password],input[type=text],input[type=number],input[type=file],select,textarea{width:100%;padding:.5rem;font-size:1rem;border:1px solid #b6c0c9;border-radius:.35rem;background:#fff}
button,.button{display:inline-block;padding:.5rem .9rem;font-size:.95rem;border:1px solid #14532d;border-radius:.35rem;background:#14532d;color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#14532d}
button.danger{background:#b3261e;border-color:#b3261e;color:#fff}
button.warn{background:#fff;color:#b3261e;border-color:#b3261e}
.actions{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.7rem;align-items:center}
.actions form{margin:0}
.notice{padding:.6rem .8rem;border-radius:.35rem;background:#e7f5ea;border:1px solid #9fd3aa}
.error{padding:.6rem .8rem;border-radius:.35rem;background:#fdecea;border:1px solid #f1a7a1}
.warning{padding:.6rem .8rem;border-radius:.35rem;background:#fff6e0;border:1px solid #e8c36a}
.muted{color:#5b6670;font-size:.9rem}
.state{display:inline-block;padding:.05rem .5rem;border-radius:1rem;background:#e8edf2;font-size:.85rem}
.state[data-state=printing]{background:#dbeafe}
.state[data-state=ready]{background:#dcfce7}
.state[data-state=paused],.state[data-state=pausing]{background:#fef3c7}
.state[data-state=error],.state[data-state=halted],.state[data-state=disconnected]{background:#fee2e2}
progress{width:100%;height:.9rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:.5rem 0}
dt{color:#5b6670}
dd{margin:0;word-break:break-word}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.4rem .3rem;border-bottom:1px solid #e3e8ec;vertical-align:top}
code{word-break:break-all}
[hidden]{display:none!important}
@media (max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{display:none}td{border:0;padding:.15rem 0}tr{border-bottom:1px solid #e3e8ec;padding:.5rem 0}}
`;
