/** The one stylesheet: readable on a phone, no external fonts or images. */
export const STYLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2327;background:#f4f6f8}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#1d3557;color:#fff}
header a{color:#fff;text-decoration:none;font-weight:600}
header form{margin:0}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
section,.card{background:#fff;border:1px solid #d8dee4;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.narrow{max-width:26rem;margin:2rem auto}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
input[type=email],input[type=password],input[type=text],input[type=file],select{width:100%;padding:.55rem;font-size:1rem;border:1px solid #b6c0c9;border-radius:.35rem;background:#fff}
button{padding:.5rem .9rem;font-size:.95rem;border:1px solid #1d3557;border-radius:.35rem;background:#1d3557;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d3557}
button.danger{background:#fff;color:#b3261e;border-color:#b3261e}
.actions{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.6rem}
.actions form{margin:0}
.notice{padding:.6rem .8rem;border-radius:.35rem;background:#e7f5ea;border:1px solid #9fd3aa}
.error{padding:.6rem .8rem;border-radius:.35rem;background:#fdecea;border:1px solid #f1a7a1}
.muted{color:#5b6670;font-size:.9rem}
.state{display:inline-block;padding:.05rem .45rem;border-radius:1rem;background:#e8edf2;font-size:.85rem}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.4rem .3rem;border-bottom:1px solid #e3e8ec;vertical-align:top}
code{word-break:break-all}
@media (max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{display:none}td{border:0;padding:.15rem 0}tr{border-bottom:1px solid #e3e8ec;padding:.5rem 0}}
`;
