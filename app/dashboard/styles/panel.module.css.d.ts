/** The class names of panel.module.css (kept in step by test/unit/dashboard-css-modules.test.ts). */
declare const styles: {
  readonly actions: string;
  readonly badge: string;
  readonly body: string;
  readonly footer: string;
  readonly header: string;
  readonly iconButton: string;
  readonly panel: string;
  readonly skeleton: string;
  readonly skeletonBlock: string;
  readonly skeletonLine: string;
  readonly state: string;
  readonly subtitle: string;
  readonly tab: string;
  readonly tabs: string;
  readonly title: string;
  readonly titleBlock: string;
};
export default styles;
