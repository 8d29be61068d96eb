import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import agencies.models
import ratings.models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0004_credit_correction'),
        ('marketplace', '0004_search_vector_table'),
        ('ratings', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EnforcementDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(choices=[('penalty_general', '行政处罚'), ('violation', '违规行为'), ('fraud', '提供虚假材料'), ('serious_dishonesty', '严重失信名单'), ('award_county', '县级表彰'), ('award_city', '市级表彰'), ('award_province', '省级表彰'), ('award_national', '国家级表彰')], max_length=20, verbose_name='事项')),
                ('document_number', models.CharField(max_length=100, verbose_name='文号')),
                ('decided_on', models.DateField(verbose_name='决定日期')),
                ('deciding_body', models.CharField(max_length=200, verbose_name='作出决定的机关')),
                ('legal_basis', models.TextField(blank=True, verbose_name='法律依据')),
                ('summary', models.TextField(verbose_name='事实与理由')),
                ('safety_related', models.BooleanField(default=False, verbose_name='涉及安全生产/消防/特种设备')),
                ('status', models.CharField(choices=[('pending', '待复核'), ('effective', '已生效'), ('rejected', '复核未通过'), ('revoked', '已撤销')], db_index=True, max_length=10, verbose_name='状态')),
                ('recorded_at', models.DateTimeField()),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('confirm_note', models.TextField(blank=True, verbose_name='复核意见')),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('revoke_document', models.CharField(blank=True, max_length=100, verbose_name='复议/复查决定文号')),
                ('revoke_reason', models.TextField(blank=True, verbose_name='撤销理由')),
            ],
            options={
                'verbose_name': '执法与表彰记录',
                'verbose_name_plural': '执法与表彰记录',
                'ordering': ['-recorded_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='EnforcementFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, storage=agencies.models.private_storage, upload_to=ratings.models._evidence_path, verbose_name='文件')),
                ('content_type', models.CharField(max_length=40)),
                ('size', models.PositiveIntegerField(default=0)),
                ('original_name', models.CharField(blank=True, max_length=200, verbose_name='原文件名')),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': '证据材料',
                'verbose_name_plural': '证据材料',
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='gradechange',
            name='voided_on',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='sanction',
            name='imposed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sanction',
            name='manual',
            field=models.BooleanField(default=False, verbose_name='监管决定'),
        ),
        migrations.AlterField(
            model_name='sanction',
            name='kind',
            field=models.CharField(choices=[('suspend_d', 'D级暂停'), ('suspend_abandon', '放弃中选暂停'), ('removal', '清退'), ('blacklist', '黑名单'), ('suspend_manual', '暂停（监管决定）')], max_length=16, verbose_name='类型'),
        ),
        migrations.AddField(
            model_name='enforcementdecision',
            name='agency',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='enforcement_decisions', to='agencies.agency'),
        ),
        migrations.AddField(
            model_name='enforcementdecision',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='复核人'),
        ),
        migrations.AddField(
            model_name='enforcementdecision',
            name='department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='marketplace.department', verbose_name='主管部门'),
        ),
        migrations.AddField(
            model_name='enforcementdecision',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.creditevent', verbose_name='信用记录'),
        ),
        migrations.AddField(
            model_name='enforcementdecision',
            name='recorded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人'),
        ),
        migrations.AddField(
            model_name='enforcementdecision',
            name='regulator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='marketplace.organisation', verbose_name='录入单位'),
        ),
        migrations.AddField(
            model_name='enforcementdecision',
            name='revoked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='撤销人'),
        ),
        migrations.AddField(
            model_name='enforcementfile',
            name='decision',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='files', to='ratings.enforcementdecision'),
        ),
        migrations.AddField(
            model_name='enforcementfile',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='enforcementdecision',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'effective'])), fields=('agency', 'code', 'document_number'), name='uniq_live_enforcement'),
        ),
        migrations.AddConstraint(
            model_name='enforcementdecision',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'effective'), _negated=True), ('event__isnull', False), _connector='OR'), name='enforcement_effective_has_event'),
        ),
    ]
