// Accounts' JSON as the pages see it: who is signed in, in every page's boot data.

/** The signed-in account as the common header shows it; null in boot data when nobody is. */
export interface SiteViewer {
  email: string;
  displayName: string;
  /** In ADMIN_EMAILS, or the first account of a fresh install: opens every admin page. */
  admin: boolean;
}
