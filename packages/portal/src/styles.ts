/**
 * The portal's CSS (inside its shadow root). Colours and font come from the same custom properties as
 * the banner's, so one site theme styles both; the defaults meet WCAG 2.1 AA contrast on white.
 */
export const CSS = `:host{display:block}
*{box-sizing:border-box}
[hidden]{display:none!important}
.p{font:var(--tillit-font-size,1rem)/1.5 var(--tillit-font,system-ui,sans-serif);color:var(--tillit-fg,#1b1b1f);background:var(--tillit-bg,#fff);max-width:60em;overflow-wrap:anywhere}
h1,h2,h3,h4,h5{line-height:1.3;margin:1.5em 0 .5em}
h1:focus,h2:focus,h3:focus,h4:focus,h5:focus{outline:0}
section{border-top:1px solid rgb(128 128 128/.4)}
a{color:inherit}
button{font:inherit;font-weight:600;padding:.5em 1em;min-height:2.75em;border:2px solid var(--tillit-accent,#1d4ed8);border-radius:6px;background:var(--tillit-accent,#1d4ed8);color:var(--tillit-accent-fg,#fff);cursor:pointer}
button:disabled{opacity:.6;cursor:default}
button.danger{background:#b91c1c;border-color:#b91c1c;color:#fff}
:focus-visible{outline:3px solid var(--tillit-focus,currentColor);outline-offset:2px}
.row{display:flex;flex-wrap:wrap;gap:.5em;align-items:center}
.row p{margin:0}
.choices{list-style:none;padding:0}
.choices li{display:flex;flex-wrap:wrap;gap:.25em .75em;align-items:center;padding:.4em 0}
.choices p{flex-basis:100%;margin:0}
input{width:1.4em;height:1.4em;accent-color:var(--tillit-accent,#1d4ed8);margin:0}
.scroll{overflow:auto;max-height:32em;margin:0 0 1em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{text-align:left;vertical-align:top;padding:.4em .6em;border-bottom:1px solid rgb(128 128 128/.4)}
td:last-child{font-family:ui-monospace,monospace;white-space:pre-wrap}
dt{font-weight:600;margin-top:.75em}
dd{margin:0}
dd ul{margin:0;padding-left:1.2em}
.status:empty{display:none}
.status{padding:.5em .75em;border-left:4px solid var(--tillit-accent,#1d4ed8);background:var(--tillit-muted-bg,#eef0f3)}
.confirm{margin-top:.5em;padding:.75em;border:2px solid #b91c1c;border-radius:6px}`;
