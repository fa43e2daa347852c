/**
 * Reading the first-party cookies, both optional: the decision (`tillit_consent`, config
 * `consentCookie`) and the anonymous id on the registrable domain (`tillit_aid`, config `cookieDomain`),
 * which the site's subdomains share. In the core, so that a page's first event has the id; writing
 * them is in the privacy chunk (cookie-writer.ts).
 */

/** The anonymous id's cookie on the registrable domain. */
export const ID_COOKIE = 'tillit_aid';

/** A cookie's value (decoded), or undefined; a value that does not decode counts as absent. */
export const readCookie = (name: string): string | undefined => {
  const value = RegExp(`(?:^|;\\s*)${name}=([^;]*)`).exec(document.cookie)?.[1];
  try {
    return value && decodeURIComponent(value);
  } catch {}
};
