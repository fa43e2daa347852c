/**
 * All of the banner's CSS. Colours, radius and font come from custom properties set by the site
 * (they inherit into the shadow root); the defaults meet WCAG 2.1 AA contrast on white.
 * The action buttons sit three in a row or one per row, never two plus one: equal size at any width.
 */
export const CSS = `:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.b,dialog,.e{font:var(--tillit-font-size,1rem)/1.5 var(--tillit-font,system-ui,sans-serif);color:var(--tillit-fg,#1b1b1f);background:var(--tillit-bg,#fff);border-radius:var(--tillit-radius,12px);padding:1.25em;overflow-wrap:anywhere;hyphens:auto}
.b,dialog{box-shadow:0 4px 32px rgb(0 0 0/.3);border:1px solid rgb(128 128 128/.4);max-height:calc(100vh - 2em);overflow:auto}
.b,.f{position:fixed;z-index:2147483600;left:1em;bottom:1em}
.b{right:1em;max-width:44em;margin:auto}
dialog{width:min(40em,calc(100vw - 2em))}
dialog::backdrop{background:rgb(0 0 0/.5)}
h2{font-size:1.25em;line-height:1.3;margin:0 0 .5em}
p{margin:0 0 1em}
a{color:inherit;text-decoration:underline}
.r{display:grid;grid-template-columns:repeat(3,1fr);gap:.5em}
@media (max-width:36em){.r{grid-template-columns:1fr}}
.r button,.e button{font:inherit;font-weight:600;padding:.6em 1em;min-height:2.75em;border:2px solid var(--tillit-accent,#1d4ed8);border-radius:calc(var(--tillit-radius,12px)/2);background:var(--tillit-accent,#1d4ed8);color:var(--tillit-accent-fg,#fff);cursor:pointer}
button:hover{filter:brightness(1.15)}
:focus-visible{outline:3px solid var(--tillit-focus,currentColor);outline-offset:2px}
.b:focus,dialog:focus{outline:0}
.h{display:flex;justify-content:space-between;align-items:center;gap:1em;margin-bottom:.5em}
.h h2{margin:0}
.x{font:inherit;font-size:1.5em;line-height:1;min-width:1.8em;min-height:1.8em;background:none;border:0;color:inherit;cursor:pointer;border-radius:6px}
ul{list-style:none;padding:0;margin:0 0 1em}
li{padding:.75em 0;border-top:1px solid rgb(128 128 128/.4)}
label{display:flex;justify-content:space-between;align-items:center;gap:1em;font-weight:600;cursor:pointer}
li p{margin:.25em 0 0;font-size:.9em}
input{appearance:none;forced-color-adjust:none;flex:none;width:2.75em;height:1.5em;margin:0;border-radius:1em;background:#6b7280;position:relative;cursor:pointer}
input::before{content:"";position:absolute;top:.2em;left:.2em;width:1.1em;height:1.1em;border-radius:50%;background:#fff}
input:checked{background:var(--tillit-accent,#1d4ed8)}
input:checked::before{left:1.45em}
input:disabled{cursor:default;opacity:.7}
.f{width:3em;height:3em;padding:.6em;border-radius:50%;border:2px solid var(--tillit-bg,#fff);background:var(--tillit-accent,#1d4ed8);color:var(--tillit-accent-fg,#fff);cursor:pointer;box-shadow:0 2px 8px rgb(0 0 0/.3)}
svg{display:block;fill:currentColor}
:host(.e-host){display:block;max-width:100%}
.e{display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;height:100%;min-height:8em;background:var(--tillit-muted-bg,#eef0f3)}`;
