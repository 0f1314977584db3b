<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>fts::ui::ModelPickerButton</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Model folders found on this machine: the shipped base model, those `make models` brought, and folders under the studio home or named in FTSTUDIO_MODELS</source>
        <translation>本机找到的模型文件夹：随附的基础模型、`make models` 取得的模型，以及工作室主目录下或 FTSTUDIO_MODELS 指定的文件夹</translation>
    </message>
    <message>
        <source>No model folders found (run `make models`)</source>
        <translation>未找到模型文件夹（请运行 `make models`）</translation>
    </message>
    <message>
        <source>%1 — %2, %3 parameters, %4 tokenizer</source>
        <translation>%1 — %2，%3 个参数，%4 分词器</translation>
    </message>
</context>
<context>
    <name>fts::ui::DatasetPanel</name>
    <message>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <source>Text column</source>
        <translation>文本列</translation>
    </message>
    <message>
        <source>Label column</source>
        <translation>标签列</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>characters p50 %1, p95 %2, max %3</source>
        <translation>字符数 中位数 %1，p95 %2，最大 %3</translation>
    </message>
    <message>
        <source>tokens%1 p50 %2, p95 %3; %4 over %5</source>
        <translation>词元数%1 中位数 %2，p95 %3；%4 行超过 %5</translation>
    </message>
    <message>
        <source> (approx.)</source>
        <translation>（估算）</translation>
    </message>
    <message>
        <source>duplicates: %1 exact, %2 after normalizing</source>
        <translation>重复：完全相同 %1 行，规范化后 %2 行</translation>
    </message>
    <message>
        <source>largest class / smallest: %1</source>
        <translation>最大类 / 最小类：%1</translation>
    </message>
    <message>
        <source>CJK: %1% of characters</source>
        <translation>中日韩字符：占 %1%</translation>
    </message>
    <message>
        <source>warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="18"/>
        <source>No data yet: open a CSV (text,label) or a text file.</source>
        <translation>还没有数据：请打开 CSV 文件（text,label）或文本文件。</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="24"/>
        <source>line</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="24"/>
        <source>label</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="24"/>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="33"/>
        <source>Problems found in the file appear here, as FILE:LINE: message.</source>
        <translation>文件中发现的问题显示在这里，格式为 文件:行: 说明。</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="43"/>
        <source>Reading %1 …</source>
        <translation>正在读取 %1 …</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="60"/>
        <source>&lt;b&gt;Cannot use %1&lt;/b&gt;</source>
        <translation>&lt;b&gt;无法使用 %1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="85"/>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2 rows</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;：%2 行</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="86"/>
        <source> · %1 classes: %2</source>
        <translation> · %1 个类别：%2</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="87"/>
        <source> · unlabelled text (language modelling)</source>
        <translation> · 无标签文本（语言建模）</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="88"/>
        <source> · showing the first %1</source>
        <translation> · 显示前 %1 行</translation>
    </message>
    <message>
        <location filename="../../ui/DatasetPanel.cpp" line="93"/>
        <source>%1 row(s) skipped:</source>
        <translation>跳过了 %1 行：</translation>
    </message>
    <message>
        <source>Max length: the run setting &quot;Max tokens&quot; in the Training panel</source>
        <translation>最大长度：训练面板中的运行设置“最大词元数”</translation>
    </message>
    <message>
        <source>warning: %1 rows (%2%) are longer than the max length of %3 tokens%4 and will be cut; raise &quot;Max tokens&quot; or shorten them</source>
        <translation>警告：%1 行（%2%）超过最大长度 %3 个词元%4，将被截断；请调高“最大词元数”或缩短这些文本</translation>
    </message>
    <message>
        <source> (approximately)</source>
        <translation>（近似）</translation>
    </message>
    <message>
        <source>test file %1</source>
        <translation>测试文件 %1</translation>
    </message>
    <message>
        <source>validation file %1</source>
        <translation>验证文件 %1</translation>
    </message>
    <message>
        <source>The %1 cannot be read: %2</source>
        <translation>无法读取%1：%2</translation>
    </message>
    <message>
        <source>&lt;b&gt;Leakage:&lt;/b&gt; %1 of the %2 rows of the %3 also occur in the training file (%4 exactly): their score measures memory, not generalisation; remove them from one side.</source>
        <translation>&lt;b&gt;数据泄漏：&lt;/b&gt;%3 的 %2 行中有 %1 行也出现在训练文件中（其中 %4 行完全相同）：在这些行上的得分衡量的是记忆而不是泛化；请从其中一方删除它们。</translation>
    </message>
    <message>
        <source>e.g. %1</source>
        <translation>例如 %1</translation>
    </message>
    <message>
        <source>%1 (%2 rows)</source>
        <translation>%1（%2 行）</translation>
    </message>
    <message>
        <source>No overlap between the training file and the %1.</source>
        <translation>训练文件与%1没有重叠。</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Stop at the first bad row</source>
        <translation>遇到第一个坏行即停止</translation>
    </message>
    <message>
        <source>Skip bad rows, listing each</source>
        <translation>跳过坏行并逐一列出</translation>
    </message>
    <message>
        <source>When training reads a row it cannot use: fail with its FILE:LINE, or leave it out and list every skipped row in the run&apos;s log and skipped_rows.txt</source>
        <translation>训练读到无法使用的行时：报告其 FILE:LINE 并失败，或跳过它，并在运行日志和 skipped_rows.txt 中列出每个被跳过的行</translation>
    </message>
    <message>
        <source>Bad rows when training</source>
        <translation>训练时的坏行</translation>
    </message>
</context>
<context>
    <name>fts::ui::MainWindow</name>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <source>&amp;Export Run…</source>
        <translation>导出运行(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Import GGUF…</source>
        <translation>导入 GGUF(&amp;I)…</translation>
    </message>
    <message>
        <source>Convert a llama.cpp GGUF file into a Hugging Face model folder to fine-tune</source>
        <translation>把 llama.cpp 的 GGUF 文件转换为可微调的 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export a run as a Hugging Face folder, a PEFT adapter, a merged model or GGUF, verified after writing</source>
        <translation>将运行导出为 Hugging Face 文件夹、PEFT 适配器、合并模型或 GGUF，写入后即验证</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="53"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="54"/>
        <source>Open &amp;Project…</source>
        <translation>打开项目(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="55"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="56"/>
        <source>&amp;Open Data…</source>
        <translation>打开数据(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="59"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="60"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="61"/>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="61"/>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="62"/>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="62"/>
        <source>Ctrl+.</source>
        <translation>Ctrl+.</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="63"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="64"/>
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="65"/>
        <source>About Fine-tuning Studio</source>
        <translation>关于 Fine-tuning Studio</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="66"/>
        <source>&lt;b&gt;Fine-tuning Studio&lt;/b&gt; %1&lt;br&gt;Fine-tune language models on your workstation.&lt;br&gt;LibTorch threads: %2 · BLAS: %3</source>
        <translation>&lt;b&gt;Fine-tuning Studio&lt;/b&gt; %1&lt;br&gt;在你的工作站上微调语言模型。&lt;br&gt;LibTorch 线程：%2 · BLAS：%3</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="73"/>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="81"/>
        <source>Loaded %1</source>
        <translation>已载入 %1</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="84"/>
        <source>Cannot use %1: see the problems under the table</source>
        <translation>无法使用 %1：请查看表格下方列出的问题</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="86"/>
        <source>LibTorch threads: %1 · BLAS: %2</source>
        <translation>LibTorch 线程：%1 · BLAS：%2</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="92"/>
        <source>Fine-tuning Studio</source>
        <translation>Fine-tuning Studio</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="92"/>
        <source>%1 — Fine-tuning Studio</source>
        <translation>%1 — Fine-tuning Studio</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="98"/>
        <source>Cannot open</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="98"/>
        <source>%1: no such file</source>
        <translation>%1：文件不存在</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="118"/>
        <source>Cannot open project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="127"/>
        <source>Open data</source>
        <translation>打开数据</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="128"/>
        <source>Data files (*.csv *.tsv *.txt *.jsonl);;All files (*)</source>
        <translation>数据文件 (*.csv *.tsv *.txt *.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="133"/>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="133"/>
        <source>Projects (*.ftproject)</source>
        <translation>项目 (*.ftproject)</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="139"/>
        <source>Training is running</source>
        <translation>训练正在进行</translation>
    </message>
    <message>
        <location filename="../../ui/MainWindow.cpp" line="140"/>
        <source>Stop the run and quit? Its metrics so far stay in its run folder.</source>
        <translation>停止训练并退出？已记录的指标会保留在运行文件夹中。</translation>
    </message>
</context>
<context>
    <name>fts::ui::MetricPlot</name>
    <message>
        <location filename="../../widgets/MetricPlot.cpp" line="17"/>
        <source>step</source>
        <translation>步</translation>
    </message>
</context>
<context>
    <name>fts::ui::TrainingController</name>
    <message>
        <location filename="../../ui/TrainingController.cpp" line="29"/>
        <source>run %1 in %2</source>
        <translation>运行 %1，位于 %2</translation>
    </message>
</context>
<context>
    <name>fts::ui::TrainingPanel</name>
    <message>
        <source>Model and method</source>
        <translation>模型与方法</translation>
    </message>
    <message>
        <source>none: train from scratch</source>
        <translation>无：从头训练</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Full fine-tuning</source>
        <translation>全参数微调</translation>
    </message>
    <message>
        <source>Frozen lower layers</source>
        <translation>冻结底层</translation>
    </message>
    <message>
        <source>LoRA adapters</source>
        <translation>LoRA 适配器</translation>
    </message>
    <message>
        <source>Baseline: bag of words (naive Bayes)</source>
        <translation>基线：词袋（朴素贝叶斯）</translation>
    </message>
    <message>
        <source>Baseline: majority class</source>
        <translation>基线：多数类</translation>
    </message>
    <message>
        <source>A baseline has no network</source>
        <translation>基线没有神经网络</translation>
    </message>
    <message>
        <source>Set by the base model</source>
        <translation>由基础模型决定</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Base model</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation>LoRA 秩</translation>
    </message>
    <message>
        <source>Frozen layers</source>
        <translation>冻结层数</translation>
    </message>
    <message>
        <source>Early stopping</source>
        <translation>早停</translation>
    </message>
    <message>
        <source>Evaluations without improvement of the validation loss before training stops</source>
        <translation>验证损失连续多少次评估没有改善后停止训练</translation>
    </message>
    <message>
        <source>Base model folder (config.json, model.safetensors, tokenizer.model or tokenizer.json)</source>
        <translation>基础模型文件夹（config.json、model.safetensors、tokenizer.model 或 tokenizer.json）</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="44"/>
        <source>Run settings</source>
        <translation>运行设置</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="47"/>
        <source>From the data</source>
        <translation>根据数据判断</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="48"/>
        <source>Classification</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="49"/>
        <source>Causal language model</source>
        <translation>因果语言模型</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="50"/>
        <source>by epochs</source>
        <translation>按轮数</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="61"/>
        <source>epoch ends</source>
        <translation>每轮结束时</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="62"/>
        <source>all cores</source>
        <translation>全部核心</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="63"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="64"/>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="65"/>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="66"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="67"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="68"/>
        <source>Hidden size</source>
        <translation>隐藏层维度</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="69"/>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="70"/>
        <source>Heads</source>
        <translation>注意力头数</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="71"/>
        <source>Max tokens</source>
        <translation>最大词元数</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="72"/>
        <source>Evaluate every</source>
        <translation>评估间隔</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="73"/>
        <source>Threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="75"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="78"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="81"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="98"/>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="102"/>
        <source>train loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="103"/>
        <source>validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="104"/>
        <location filename="../../ui/TrainingPanel.cpp" line="110"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="104"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="107"/>
        <source>validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="108"/>
        <source>validation macro-F1</source>
        <translation>验证宏平均 F1</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="109"/>
        <source>validation perplexity</source>
        <translation>验证困惑度</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="110"/>
        <source>accuracy / F1</source>
        <translation>准确率 / F1</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="110"/>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="146"/>
        <source>%1 after %2 steps: %3</source>
        <translation>%2 步后%1：%3</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="223"/>
        <source>step %1 / %2 · epoch %3 · %4 tok/s · ETA %5</source>
        <translation>第 %1 / %2 步 · 第 %3 轮 · %4 词元/秒 · 剩余 %5</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="233"/>
        <source>Preparing: reading data, training the tokenizer …</source>
        <translation>准备中：读取数据、训练分词器 …</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="234"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="235"/>
        <source>Stopped: %1</source>
        <translation>已停止：%1</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="236"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="237"/>
        <source> · done</source>
        <translation> · 完成</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="244"/>
        <source>error: </source>
        <translation>错误：</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="244"/>
        <source>warning: </source>
        <translation>警告：</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="251"/>
        <source>Open a data file first</source>
        <translation>请先打开数据文件</translation>
    </message>
    <message>
        <location filename="../../ui/TrainingPanel.cpp" line="251"/>
        <source>Train on %1</source>
        <translation>在 %1 上训练</translation>
    </message>
    <message>
        <source>No evaluation yet: classification runs show per-class figures and the confusion matrix here at each evaluation.</source>
        <translation>尚无评估：分类运行在每次评估时在此显示各类别指标和混淆矩阵。</translation>
    </message>
    <message>
        <source>The newest validation report, or the test report after the run</source>
        <translation>最新的验证报告，或运行结束后的测试报告</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Per class</source>
        <translation>各类别</translation>
    </message>
    <message>
        <source>Test set, after the run</source>
        <translation>测试集，运行结束后</translation>
    </message>
    <message>
        <source>Validation, step %1</source>
        <translation>验证，第 %1 步</translation>
    </message>
    <message>
        <source>Test set after the run (step %1)</source>
        <translation>运行结束后的测试集（第 %1 步）</translation>
    </message>
    <message>
        <source>Validation at step %1 (epoch %2)</source>
        <translation>第 %1 步的验证（第 %2 轮）</translation>
    </message>
    <message>
        <source>%1 at step %2</source>
        <translation>第 %2 步的 %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;accuracy %2 · macro-F1 %3 · weighted-F1 %4</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;准确率 %2 · 宏平均 F1 %3 · 加权 F1 %4</translation>
    </message>
    <message>
        <source>Per class (test)</source>
        <translation>各类别（测试）</translation>
    </message>
    <message>
        <source>Per class (step %1)</source>
        <translation>各类别（第 %1 步）</translation>
    </message>
    <message>
        <source>Set from the Augmentation tab (Use in training) or the project file&apos;s augment.* settings</source>
        <translation>由“数据增强”标签页（用于训练）或项目文件的 augment.* 设置</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message numerus="yes">
        <source>%1: %2, %n variant(s) per row</source>
        <translation>
            <numerusform>%1：%2，每个样本 %n 个变体</numerusform>
        </translation>
    </message>
    <message>
        <source>Masked language model (encoders)</source>
        <translation>掩码语言模型（编码器）</translation>
    </message>
</context>
<context>
    <name>fts::ui::ConfusionMatrixView</name>
    <message>
        <source>The confusion matrix appears here at the first evaluation of a classification run.</source>
        <translation>分类运行第一次评估后，混淆矩阵将显示在这里。</translation>
    </message>
    <message>
        <source>predicted class</source>
        <translation>预测类别</translation>
    </message>
    <message>
        <source>true class</source>
        <translation>真实类别</translation>
    </message>
    <message>
        <source>true: %1
predicted: %2
%3 of %4 samples (%5%)</source>
        <translation>真实：%1
预测：%2
%4 个样本中的 %3 个（%5%）</translation>
    </message>
    <message>
        <source>true class %1: %2 samples</source>
        <translation>真实类别 %1：%2 个样本</translation>
    </message>
    <message>
        <source>predicted class %1</source>
        <translation>预测类别 %1</translation>
    </message>
</context>
<context>
    <name>fts::ui::ClassMetricsTable</name>
    <message>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <source>recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>support</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>Click a column to sort the classes; the averages stay last</source>
        <translation>点击列标题对类别排序；平均值始终在最后</translation>
    </message>
    <message>
        <source>Of the samples predicted as this class, the share that belong to it</source>
        <translation>预测为该类别的样本中，确实属于该类别的比例</translation>
    </message>
    <message>
        <source>Of the samples of this class, the share predicted as it</source>
        <translation>该类别的样本中，被预测为该类别的比例</translation>
    </message>
    <message>
        <source>Harmonic mean of precision and recall</source>
        <translation>精确率与召回率的调和平均</translation>
    </message>
    <message>
        <source>Samples of this class in the evaluated set</source>
        <translation>评估集中该类别的样本数</translation>
    </message>
    <message>
        <source>macro average</source>
        <translation>宏平均</translation>
    </message>
    <message>
        <source>weighted average</source>
        <translation>加权平均</translation>
    </message>
</context>
<context>
    <name>fts::ui::ExportDialog</name>
    <message>
        <source>Export Run</source>
        <translation>导出运行</translation>
    </message>
    <message>
        <source>Hugging Face folder (hf)</source>
        <translation>Hugging Face 文件夹 (hf)</translation>
    </message>
    <message>
        <source>Merged LoRA model (merged)</source>
        <translation>合并后的 LoRA 模型 (merged)</translation>
    </message>
    <message>
        <source>PEFT LoRA adapter (peft)</source>
        <translation>PEFT LoRA 适配器 (peft)</translation>
    </message>
    <message>
        <source>GGUF for llama.cpp (gguf)</source>
        <translation>用于 llama.cpp 的 GGUF (gguf)</translation>
    </message>
    <message>
        <source>f32 (full precision)</source>
        <translation>f32（全精度）</translation>
    </message>
    <message>
        <source>f16 (half precision)</source>
        <translation>f16（半精度）</translation>
    </message>
    <message>
        <source>bf16 (bfloat16)</source>
        <translation>bf16（bfloat16）</translation>
    </message>
    <message>
        <source>q8_0 (8-bit blocks, GGUF only)</source>
        <translation>q8_0（8 位分块，仅限 GGUF）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Weights above this size are split into shards with an index (e.g. 500MB, 2GB, 1GiB)</source>
        <translation>超过此大小的权重会拆分为分片并附带索引（例如 500MB、2GB、1GiB）</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Shard size</source>
        <translation>分片大小</translation>
    </message>
    <message>
        <source>Choose a run and a format, then Export.</source>
        <translation>选择一个运行和格式，然后点击“导出”。</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Cancel Export</source>
        <translation>取消导出</translation>
    </message>
    <message>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>classifier</source>
        <translation>分类器</translation>
    </message>
    <message>
        <source>causal LM</source>
        <translation>因果语言模型</translation>
    </message>
    <message>
        <source>task unknown</source>
        <translation>任务未知</translation>
    </message>
    <message>
        <source>The run store cannot be read: %1</source>
        <translation>无法读取运行库：%1</translation>
    </message>
    <message>
        <source>No runs yet: train one, then export it here.</source>
        <translation>还没有运行：先训练一个，再在这里导出。</translation>
    </message>
    <message>
        <source>A Hugging Face model folder: config.json, safetensors weights and the tokenizer files, as transformers loads them.</source>
        <translation>Hugging Face 模型文件夹：config.json、safetensors 权重和分词器文件，transformers 可直接加载。</translation>
    </message>
    <message>
        <source>The LoRA adapters folded into the base weights, written as a Hugging Face model folder.</source>
        <translation>将 LoRA 适配器合并进基础权重，写成 Hugging Face 模型文件夹。</translation>
    </message>
    <message>
        <source>The LoRA adapter alone (adapter_config.json, adapter_model.safetensors), loaded by peft onto its base model: %1</source>
        <translation>仅 LoRA 适配器（adapter_config.json、adapter_model.safetensors），由 peft 加载到其基础模型上：%1</translation>
    </message>
    <message>
        <source>One GGUF file for llama.cpp (causal language models).</source>
        <translation>一个供 llama.cpp 使用的 GGUF 文件（因果语言模型）。</translation>
    </message>
    <message>
        <source>Not offered for this run:</source>
        <translation>此运行不提供：</translation>
    </message>
    <message>
        <source>This run is still training: export it once it has finished or stopped.</source>
        <translation>此运行仍在训练：请在它完成或停止后再导出。</translation>
    </message>
    <message>
        <source>Export into</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Writing the files…</source>
        <translation>正在写入文件…</translation>
    </message>
    <message>
        <source>Reading the export back and comparing logits with the model…</source>
        <translation>正在读回导出结果并与模型比较 logits…</translation>
    </message>
    <message>
        <source>Writing the model card…</source>
        <translation>正在写入模型卡…</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Shard size: %1</source>
        <translation>分片大小：%1</translation>
    </message>
    <message>
        <source>Starting the export…</source>
        <translation>正在开始导出…</translation>
    </message>
    <message>
        <source>Cancelling: the export stops at its next stage and removes what it wrote…</source>
        <translation>正在取消：导出将在下一阶段停止，并删除已写入的内容…</translation>
    </message>
    <message>
        <source>Max abs logit difference</source>
        <translation>logits 最大绝对差</translation>
    </message>
    <message>
        <source>Accepted difference</source>
        <translation>允许的差值</translation>
    </message>
    <message>
        <source>Largest logit</source>
        <translation>最大 logit</translation>
    </message>
    <message>
        <source>Argmax agreement</source>
        <translation>argmax 一致率</translation>
    </message>
    <message>
        <source>%1% of %2 rows</source>
        <translation>%2 行中的 %1%</translation>
    </message>
    <message>
        <source>Sample texts</source>
        <translation>样本文本数</translation>
    </message>
    <message>
        <source>Read back with</source>
        <translation>读回方式</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>Exported and verified.</source>
        <translation>已导出并通过验证。</translation>
    </message>
    <message>
        <source>Export verified</source>
        <translation>导出已通过验证</translation>
    </message>
    <message>
        <source>Written to %1 and read back: its logits match the model&apos;s.</source>
        <translation>已写入 %1 并读回：其 logits 与模型一致。</translation>
    </message>
    <message>
        <source>Files written</source>
        <translation>写入的文件</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>注：</translation>
    </message>
    <message>
        <source>Export cancelled.</source>
        <translation>导出已取消。</translation>
    </message>
    <message>
        <source>Export cancelled</source>
        <translation>导出已取消</translation>
    </message>
    <message>
        <source>Nothing was written under %1.</source>
        <translation>%1 下没有写入任何内容。</translation>
    </message>
    <message>
        <source>Export failed.</source>
        <translation>导出失败。</translation>
    </message>
</context>
<context>
    <name>fts::ui::ImportGgufDialog</name>
    <message>
        <source>Import GGUF</source>
        <translation>导入 GGUF</translation>
    </message>
    <message>
        <source>a llama.cpp model file (*.gguf)</source>
        <translation>llama.cpp 模型文件 (*.gguf)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose a .gguf file: what it holds is shown here before anything is imported.</source>
        <translation>选择一个 .gguf 文件：导入之前，这里会显示它包含的内容。</translation>
    </message>
    <message>
        <source>In the file</source>
        <translation>文件内容</translation>
    </message>
    <message>
        <source>bf16 (half the size of f32)</source>
        <translation>bf16（体积为 f32 的一半）</translation>
    </message>
    <message>
        <source>f32 (full precision, twice the size of bf16)</source>
        <translation>f32（全精度，体积为 bf16 的两倍）</translation>
    </message>
    <message>
        <source>GGUF file</source>
        <translation>GGUF 文件</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Use as Base Model</source>
        <translation>用作基础模型</translation>
    </message>
    <message>
        <source>Put the imported folder into the Training panel&apos;s base model field</source>
        <translation>把导入的文件夹填入训练面板的基础模型字段</translation>
    </message>
    <message>
        <source>Open Folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Cancel Import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The Training panel&apos;s base model is now %1.</source>
        <translation>训练面板的基础模型现在是 %1。</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import into</source>
        <translation>导入到</translation>
    </message>
    <message>
        <source>not in the file</source>
        <translation>文件中没有</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>隐藏维度</translation>
    </message>
    <message>
        <source> (feed-forward %1)</source>
        <translation>（前馈 %1）</translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>%1 (key/value heads: %2)</source>
        <translation>%1（键/值头：%2）</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>gpt2 (byte-level BPE: becomes tokenizer.json)</source>
        <translation>gpt2（字节级 BPE：转为 tokenizer.json）</translation>
    </message>
    <message>
        <source>llama (SentencePiece: becomes tokenizer.model)</source>
        <translation>llama（SentencePiece：转为 tokenizer.model）</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>Tensor types</source>
        <translation>张量类型</translation>
    </message>
    <message>
        <source>%1 (%2 tensors)</source>
        <translation>%1（共 %2 个张量）</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>GGUF version %1, %2 MB</source>
        <translation>GGUF 版本 %1，%2 MB</translation>
    </message>
    <message>
        <source>The importer will refuse this file: %1</source>
        <translation>导入器将拒绝此文件：%1</translation>
    </message>
    <message>
        <source>Choose the output folder and the weights, then Import.</source>
        <translation>选择输出文件夹和权重精度，然后点击“导入”。</translation>
    </message>
    <message>
        <source>This file cannot be read as GGUF.</source>
        <translation>无法将此文件读取为 GGUF。</translation>
    </message>
    <message>
        <source>Not a usable GGUF file</source>
        <translation>不是可用的 GGUF 文件</translation>
    </message>
    <message>
        <source>Choose another file.</source>
        <translation>请选择其他文件。</translation>
    </message>
    <message>
        <source>Tensor %1 of %2: %3</source>
        <translation>张量 %1/%2：%3</translation>
    </message>
    <message>
        <source>Reading the file and checking every tensor…</source>
        <translation>正在读取文件并检查每个张量…</translation>
    </message>
    <message>
        <source>Cancelling: the import stops before its next tensor and removes what it wrote…</source>
        <translation>正在取消：导入会在下一个张量之前停止，并删除已写入的内容…</translation>
    </message>
    <message>
        <source>Imported. Use it as the base model of a run, or find it under Models in the Training panel.</source>
        <translation>已导入。可将其用作运行的基础模型，或在训练面板的“模型”菜单中找到它。</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>%1 in %2 tensors, %3 weights</source>
        <translation>%1，共 %2 个张量，%3 权重</translation>
    </message>
    <message>
        <source>%1, in %2</source>
        <translation>%1，保存在 %2</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>注：</translation>
    </message>
    <message>
        <source>Import cancelled.</source>
        <translation>导入已取消。</translation>
    </message>
    <message>
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
    <message>
        <source>Nothing was written under %1.</source>
        <translation>%1 下没有写入任何内容。</translation>
    </message>
    <message>
        <source>Import failed.</source>
        <translation>导入失败。</translation>
    </message>
    <message>
        <source>Import failed</source>
        <translation>导入失败</translation>
    </message>
</context>
<context>
    <name>fts::ui::ChangeLogView</name>
    <message>
        <source>synonym replacement</source>
        <translation>同义词替换</translation>
    </message>
    <message>
        <source>random insertion</source>
        <translation>随机插入</translation>
    </message>
    <message>
        <source>random swap</source>
        <translation>随机交换</translation>
    </message>
    <message>
        <source>random deletion</source>
        <translation>随机删除</translation>
    </message>
    <message>
        <source>punctuation insertion</source>
        <translation>标点插入</translation>
    </message>
    <message>
        <source>character noise</source>
        <translation>字符噪声</translation>
    </message>
    <message>
        <source>word substitution</source>
        <translation>词替换</translation>
    </message>
    <message>
        <source>inserted “%1”</source>
        <translation>插入“%1”</translation>
    </message>
    <message>
        <source>deleted “%1”</source>
        <translation>删除“%1”</translation>
    </message>
    <message>
        <source>“%1” → “%2”</source>
        <translation>“%1” → “%2”</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; (%2), word %3: %4</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;（%2），第 %3 个词：%4</translation>
    </message>
    <message>
        <source>&lt;br&gt;from: %1</source>
        <translation>&lt;br&gt;来源：%1</translation>
    </message>
</context>
<context>
    <name>fts::ui::AugmentationPanel</name>
    <message>
        <source>Operations</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Synonym replacement (EDA): alpha × words (at least one) words are replaced by a synonym from the chosen source</source>
        <translation>同义词替换（EDA）：alpha × 词数（至少一个）个词被替换为所选来源中的同义词</translation>
    </message>
    <message>
        <source>Random insertion (EDA): a synonym of a word of the sample is inserted at a random place, alpha × words times</source>
        <translation>随机插入（EDA）：把样本中某个词的同义词插入随机位置，共 alpha × 词数 次</translation>
    </message>
    <message>
        <source>Random swap (EDA): two words swap places, alpha × words times</source>
        <translation>随机交换（EDA）：两个词互换位置，共 alpha × 词数 次</translation>
    </message>
    <message>
        <source>Random deletion (EDA): alpha × words words are deleted</source>
        <translation>随机删除（EDA）：删除 alpha × 词数 个词</translation>
    </message>
    <message>
        <source>Punctuation insertion (AEDA): marks (. ; ? : ! , and their Chinese forms) inserted between words, up to this share of the word count (AEDA uses 1/3)</source>
        <translation>标点插入（AEDA）：在词之间插入标点（. ; ? : ! , 及其中文形式），最多为词数的这一比例（AEDA 用 1/3）</translation>
    </message>
    <message>
        <source>Character noise: each word gets a typo (keyboard neighbour, swap, deletion, insertion) with this probability</source>
        <translation>字符噪声：每个词以此概率产生一个拼写错误（键盘相邻键、交换、删除、插入）</translation>
    </message>
    <message>
        <source>Variants per sample. EDA uses 16 for 500 samples, 8 for 2,000, 4 for 5,000 and more</source>
        <translation>每个样本的变体数。EDA 对 500 个样本用 16，2,000 个用 8，5,000 个及以上用 4</translation>
    </message>
    <message>
        <source>The same seed, data and settings give the same variants</source>
        <translation>相同的种子、数据和设置得到相同的变体</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>变体</translation>
    </message>
    <message>
        <source>WordNet (English)</source>
        <translation>WordNet（英文）</translation>
    </message>
    <message>
        <source>Word vectors (word2vec text file)</source>
        <translation>词向量（word2vec 文本文件）</translation>
    </message>
    <message>
        <source>Synonym file (one group a line, HIT Cilin accepted)</source>
        <translation>同义词文件（每行一组，支持哈工大同义词词林）</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Where synonym replacement and random insertion find their words; each change names its source</source>
        <translation>同义词替换和随机插入从哪里取词；每处改动都注明来源</translation>
    </message>
    <message>
        <source>File of word vectors or synonym groups</source>
        <translation>词向量或同义词组文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Synonyms</source>
        <translation>同义词</translation>
    </message>
    <message>
        <source>At random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Of a class</source>
        <translation>某一类别</translation>
    </message>
    <message>
        <source>Containing</source>
        <translation>包含文本</translation>
    </message>
    <message>
        <source>Text to look for</source>
        <translation>要查找的文本</translation>
    </message>
    <message>
        <source>Samples shown in the preview</source>
        <translation>预览中显示的样本数</translation>
    </message>
    <message>
        <source>Other samples</source>
        <translation>换一批样本</translation>
    </message>
    <message>
        <source>Draw another random pick of samples</source>
        <translation>重新随机抽取样本</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Draw a new seed and preview again</source>
        <translation>换一个新种子并重新预览</translation>
    </message>
    <message>
        <source>Write augmented dataset…</source>
        <translation>写出增强数据集…</translation>
    </message>
    <message>
        <source>Write every sample and its variants to a new file in the input&apos;s format, with source_row and augment_ops columns, and the change logs to a JSONL file beside it</source>
        <translation>把每个样本及其变体按输入的格式写入新文件（带 source_row 和 augment_ops 列），改动日志写入旁边的 JSONL 文件</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Open a data file in the Dataset panel, then preview its augmented samples here.</source>
        <translation>先在数据集面板中打开数据文件，然后在这里预览增强后的样本。</translation>
    </message>
    <message>
        <source>Choose a word-vector file (word2vec text format)</source>
        <translation>请选择词向量文件（word2vec 文本格式）</translation>
    </message>
    <message>
        <source>Choose a synonym file (one group of synonyms a line)</source>
        <translation>请选择同义词文件（每行一组同义词）</translation>
    </message>
    <message>
        <source>No sample matches the choice.</source>
        <translation>没有符合所选条件的样本。</translation>
    </message>
    <message>
        <source>Open a data file in the Dataset panel first.</source>
        <translation>请先在数据集面板中打开数据文件。</translation>
    </message>
    <message>
        <source>Cannot augment: %1</source>
        <translation>无法增强：%1</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>原文</translation>
    </message>
    <message>
        <source>Open it</source>
        <translation>打开它</translation>
    </message>
    <message>
        <source>Open the augmented dataset in the Dataset panel (to train on it)</source>
        <translation>在数据集面板中打开增强后的数据集（用于训练）</translation>
    </message>
    <message>
        <source>Variant %1 · %2</source>
        <translation>变体 %1 · %2</translation>
    </message>
    <message>
        <source>line %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>line %1, class %2</source>
        <translation>第 %1 行，类别 %2</translation>
    </message>
    <message>
        <source>Synonym source</source>
        <translation>同义词来源</translation>
    </message>
    <message>
        <source>Word vectors or synonym groups (*.txt *.vec);;All files (*)</source>
        <translation>词向量或同义词组 (*.txt *.vec);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Write augmented dataset</source>
        <translation>写出增强数据集</translation>
    </message>
    <message>
        <source>Writing %1 …</source>
        <translation>正在写入 %1 …</translation>
    </message>
    <message>
        <source>Cancelled: nothing was written.</source>
        <translation>已取消：没有写入任何内容。</translation>
    </message>
    <message>
        <source>Cannot write the augmented dataset: %1</source>
        <translation>无法写出增强数据集：%1</translation>
    </message>
    <message>
        <source>Wrote %1: %2 rows (%3 variants of %4 samples). Change log: %5</source>
        <translation>已写入 %1：%2 行（%4 个样本的 %3 个变体）。改动日志：%5</translation>
    </message>
    <message>
        <source>%1 is open: choose operations and press Preview.</source>
        <translation>已打开 %1：选择操作后按“预览”。</translation>
    </message>
    <message>
        <source>For %1 samples EDA recommends alpha = %2 and %3 variants per sample.</source>
        <translation>对 %1 个样本，EDA 建议 alpha = %2，每个样本 %3 个变体。</translation>
    </message>
    <message>
        <source>EDA recommends alpha = 0.1 up to 5,000 samples and 0.05 above; 16 variants for 500 samples, 8 for 2,000, 4 for 5,000 and more.</source>
        <translation>EDA 建议：5,000 个样本以内 alpha = 0.1，更多时 0.05；500 个样本用 16 个变体，2,000 个用 8 个，5,000 个及以上用 4 个。</translation>
    </message>
    <message numerus="yes">
        <source>Augmenting %n sample(s)…</source>
        <translation>
            <numerusform>正在增强 %n 个样本…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Seed %1: %n sample(s); hover a highlight to see the change.</source>
        <translation>
            <numerusform>种子 %1：%n 个样本；鼠标悬停在高亮处可查看改动。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n sample(s) got fewer variants than asked (too few words that may change, or no synonym found).</source>
        <translation>
            <numerusform>%n 个样本得到的变体少于要求（可改动的词太少，或找不到同义词）。</numerusform>
        </translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Offline: variants made once</source>
        <translation>离线：变体只生成一次</translation>
    </message>
    <message>
        <source>Online: fresh variants every epoch</source>
        <translation>在线：每轮生成新的变体</translation>
    </message>
    <message>
        <source>How the next run uses these settings: online draws new variants of every training row each epoch (seeded, so a resumed run sees the same); validation and test rows are never augmented</source>
        <translation>下一次运行如何使用这些设置：在线模式每轮为每个训练样本生成新的变体（有种子，恢复的运行看到相同的变体）；验证集和测试集从不增强</translation>
    </message>
    <message>
        <source>Use in training</source>
        <translation>用于训练</translation>
    </message>
    <message>
        <source>Set the Training panel&apos;s run to augment its training rows with these operations, variants, seed and synonyms (augment.* in the project file)</source>
        <translation>让训练面板的运行用这些操作、变体数、种子和同义词来源增强训练样本（项目文件中的 augment.*）</translation>
    </message>
    <message>
        <source>Training:</source>
        <translation>训练：</translation>
    </message>
    <message>
        <source>Choose at least one operation to train with.</source>
        <translation>请至少选择一个用于训练的操作。</translation>
    </message>
    <message>
        <source>Training takes synonyms from WordNet or a synonym file, not yet from word vectors: choose one of those.</source>
        <translation>训练目前只能从 WordNet 或同义词文件获取同义词，暂不支持词向量：请选择其中之一。</translation>
    </message>
    <message>
        <source>The next run trains without augmentation.</source>
        <translation>下一次运行不使用数据增强。</translation>
    </message>
    <message numerus="yes">
        <source>The next run augments its training rows: %1, %2, %n variant(s) per row.</source>
        <translation>
            <numerusform>下一次运行将增强训练样本：%1，%2，每个样本 %n 个变体。</numerusform>
        </translation>
    </message>
</context>
</TS>
