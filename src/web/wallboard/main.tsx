import { render } from 'preact';
import { WallboardApp } from './wallboard-app.tsx';
import '../shared/styles.css';

render(<WallboardApp />, document.getElementById('app')!);
