// A Plotly figure drawn with plotly.js's basic bundle (ui_kit/plotly_figure.py says what and why),
// a file the tab loads once (ui_kit/component_files.py).
const LOCALES = {
  id: {moduleType: 'locale', name: 'id', dictionary: {}, format: {
    days: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
    shortDays: ['Min', 'Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab'],
    months: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
             'September', 'Oktober', 'November', 'Desember'],
    shortMonths: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
    date: '%d/%m/%Y', decimal: ',', thousands: '.'}},
};

function plotly(src) {
  // One <script> per tab, shared by every chart and every rerun.
  if (!window.umrahPlotly) {
    window.umrahPlotly = new Promise((resolve, reject) => {
      if (window.Plotly) { resolve(window.Plotly); return; }
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.onload = () => {
        Object.values(LOCALES).forEach(locale => window.Plotly.register(locale));
        resolve(window.Plotly);
      };
      script.onerror = () => { window.umrahPlotly = null; reject(new Error('plotly.js did not load')); };
      document.head.appendChild(script);
    });
  }
  return window.umrahPlotly;
}

function themed(layout, root) {
  const css = getComputedStyle(root);
  const value = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const color = value('--st-text-color', '#31333F');
  const family = value('--st-font', 'sans-serif');
  const grid = value('--st-border-color-light', value('--st-border-color', '#E6EAF1'));
  const axis = (given) => Object.assign(
    {automargin: true, gridcolor: grid, linecolor: grid, zerolinecolor: grid}, given || {});
  return Object.assign({}, layout, {
    autosize: true,
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: Object.assign({family: family, color: color, size: 13}, layout.font || {}),
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis),
    hoverlabel: Object.assign({font: {family: family}}, layout.hoverlabel || {}),
  });
}

export default function (component) {
  const { data, parentElement } = component;
  const box = parentElement.querySelector('.umrah-figure');
  const failed = parentElement.querySelector('.umrah-figure-failed');
  const figure = JSON.parse(data.figure);
  box.setAttribute('aria-label', data.alt);
  box.style.minHeight = (figure.layout.height || 320) + 'px';  // no jump when the chart arrives
  plotly(data.src).then(Plotly => {
    failed.hidden = true;
    const config = {responsive: true, displaylogo: false, locale: data.locale,
                    modeBarButtonsToRemove: ['select2d', 'lasso2d']};
    return Plotly.react(box, figure.data, themed(figure.layout, parentElement), config);
  }).catch(() => {
    failed.textContent = data.failed;
    failed.hidden = false;
  });
  return () => { if (window.Plotly) window.Plotly.purge(box); };
}
