/** The class names of health.module.css (kept in step by test/unit/admin-ui-css-modules.test.ts). */
declare const styles: {
  readonly alarmDetail: string;
  readonly alarms: string;
  readonly counter: string;
  readonly counterGrid: string;
  readonly consumerError: string;
  readonly counterValue: string;
  readonly lag: string;
  readonly link: string;
  readonly rejections: string;
  readonly stage: string;
  readonly stageLabel: string;
  readonly stageNote: string;
  readonly stageValue: string;
  readonly stages: string;
  readonly subTitle: string;
  readonly updated: string;
};
export default styles;
