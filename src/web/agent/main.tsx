import { render } from 'preact';
import { AgentApp } from './agent-app.tsx';
import '../shared/styles.css';

render(<AgentApp />, document.getElementById('app')!);
